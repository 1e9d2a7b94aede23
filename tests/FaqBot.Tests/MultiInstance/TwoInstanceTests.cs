using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FaqBot.Schema;
using FaqBot.Storage;
using FaqBot.Storage.Postgres;
using FaqBot.Tests.Staff;
using FaqBot.Tests.Storage;
using Xunit.Abstractions;

namespace FaqBot.Tests.MultiInstance;

/// <summary>
/// Two real FaqBot processes on one shared PostgreSQL database, as a clinic running two instances behind a load
/// balancer: a patient on one, staff on the other, an instance killed with kill -9, chats claimed from both at once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoInstanceTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string Sam = "sam@clinic.example";
    private const string Kim = "kim@clinic.example";
    private const string Crisis = "I want to kill myself";

    [Fact]
    public async Task Staff_on_B_answer_a_patient_on_A_and_after_A_is_killed_the_patient_goes_on_with_B_losing_and_repeating_nothing()
    {
        var environment = await NewDatabaseAsync(nameof(Staff_on_B_answer_a_patient_on_A_and_after_A_is_killed_the_patient_goes_on_with_B_losing_and_repeating_nothing));
        var a = await FaqBotProcess.StartAsync(environment, output, "A");
        await using var b = await FaqBotProcess.StartAsync(environment, output, "B");
        try
        {
            await using var sam = await StaffSession.SignInAsync(b.BaseAddress, Sam);
            await using var patient = await PatientClient.StartAsync(a.BaseAddress);
            var acknowledged = new List<string>();

            // The patient asks for a person on A; the console on B sees the queue change.
            await patient.WaitForAsync(m => m.Type == ActivityTypes.Message && m.From?.Role == RoleTypes.Bot); // the welcome
            var ask = await patient.SayAsync("Can I talk to a real person?");
            acknowledged.Add(ask);
            await patient.WaitForAsync(m => m.ReplyToId == ask && m.Type == ActivityTypes.Message);
            await sam.NextAsync("queue", e => Conversation(e) == patient.ConversationId);

            // Sam claims and replies on B; the reply reaches the patient's WebSocket on A.
            Assert.Equal(HttpStatusCode.OK, await sam.ClaimAsync(patient.ConversationId));
            var clock = Stopwatch.StartNew();
            await sam.SendAsync(patient.ConversationId, "Hi, this is Sam from the care team.");
            var reply = await patient.WaitForAsync(m => m.Text == "Hi, this is Sam from the care team.");
            output.WriteLine($"staff reply posted on B reached the patient's WebSocket on A after {clock.Elapsed.TotalMilliseconds:0} ms (printed, not asserted)");
            Assert.Equal("Sam", reply.From?.Name);

            // The patient's answer on A appears live in Sam's console on B.
            acknowledged.Add(await patient.SayAsync("Thank you, Sam. When can I book?"));
            await sam.NextAsync("activity", e => Conversation(e) == patient.ConversationId && Text(e) == "Thank you, Sam. When can I book?");

            // kill -9 A. The patient reconnects to B with the same token from the last watermark seen, and goes on.
            a.Kill();
            await patient.ReconnectAsync(b.BaseAddress);
            acknowledged.Add(await patient.SayAsync("Are you still there?"));
            await sam.NextAsync("activity", e => Conversation(e) == patient.ConversationId && Text(e) == "Are you still there?");
            await sam.SendAsync(patient.ConversationId, "Yes, still here. Thursday at 10 works.");
            await patient.WaitForAsync(m => m.Text == "Yes, still here. Thursday at 10 works.");
            acknowledged.Add(await patient.SayAsync("Great, thanks!"));
            await sam.SendAsync(patient.ConversationId, "See you then.");
            await patient.WaitForAsync(m => m.Text == "See you then.");

            // Nothing lost, nothing twice: what the patient's two streams delivered is the stored transcript, in order.
            var transcript = (await patient.TranscriptAsync()).Select(t => t.Id!).ToList();
            var received = patient.Received.Select(r => r.Id!).ToList();
            Assert.Equal(transcript.Count, transcript.Distinct().Count());
            Assert.Equal(received.Count, received.Distinct().Count());
            Assert.Equal(transcript, received);
            var positions = acknowledged.Select(id => transcript.IndexOf(id)).ToList();
            Assert.DoesNotContain(-1, positions);
            Assert.Equal([.. positions.Order()], positions);
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_instances_racing_to_claim_the_same_chat_100_times_one_claim_wins_each_time()
    {
        var environment = await NewDatabaseAsync(nameof(Two_instances_racing_to_claim_the_same_chat_100_times_one_claim_wins_each_time));
        await using var a = await FaqBotProcess.StartAsync(environment, output, "A");
        await using var b = await FaqBotProcess.StartAsync(environment, output, "B");
        await using var sam = await StaffSession.SignInAsync(a.BaseAddress, Sam);
        await using var kim = await StaffSession.SignInAsync(b.BaseAddress, Kim);

        // 100 patients ask for a person, half on each instance.
        var chats = new List<string>();
        using (var gate = new SemaphoreSlim(4))
        {
            chats.AddRange(await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await using var patient = await PatientClient.StartAsync(i % 2 == 0 ? a.BaseAddress : b.BaseAddress);
                    var ask = await patient.SayAsync("Can I talk to a real person?");
                    await patient.WaitForAsync(m => m.ReplyToId == ask && m.Type == ActivityTypes.Message);
                    return patient.ConversationId;
                }
                finally
                {
                    gate.Release();
                }
            })));
        }

        var samWins = 0;
        foreach (var chat in chats)
        {
            var claims = await Task.WhenAll(sam.ClaimAsync(chat), kim.ClaimAsync(chat));
            Assert.Contains(HttpStatusCode.OK, claims);
            Assert.Contains(HttpStatusCode.Conflict, claims);
            samWins += claims[0] == HttpStatusCode.OK ? 1 : 0;
        }

        output.WriteLine($"100 races: Sam (instance A) won {samWins}, Kim (instance B) won {100 - samWins}");
        var queue = await kim.Client.QueueAsync();
        Assert.All(chats, chat => Assert.Equal("withStaff", queue.Single(q => q.ConversationId == chat).State));
    }

    [Fact]
    public async Task A_message_A_stored_and_acknowledged_but_never_answered_is_answered_by_B_exactly_once_after_A_is_killed()
    {
        var environment = await NewDatabaseAsync(nameof(A_message_A_stored_and_acknowledged_but_never_answered_is_answered_by_B_exactly_once_after_A_is_killed));
        var a = await FaqBotProcess.StartAsync(environment, output, "A");
        await using var b = await FaqBotProcess.StartAsync(environment, output, "B");
        try
        {
            await using var patient = await PatientClient.StartAsync(a.BaseAddress);
            await patient.WaitForAsync(m => m.Type == ActivityTypes.Message && m.From?.Role == RoleTypes.Bot); // the welcome

            // A stores the patient's message (and would acknowledge it), holding its lease, then dies before its turn:
            // the message is written the way A's store writes it, under A's lease, and A is killed with kill -9.
            await using var database = new PostgresDatabase(environment["ConnectionStrings__FaqBot"]);
            var deadA = new PostgresConversationStore(database, TimeProvider.System, new StorageOptions { InstanceId = "instance-a", LeaseSeconds = 5 });
            var stored = await deadA.AppendIncomingAsync(patient.ConversationId, new Schema.Activity
            {
                Type = ActivityTypes.Message,
                Text = Crisis,
                From = new ChannelAccount("dl_patient", Role: RoleTypes.User),
                ChannelId = "directline",
            });
            a.Kill();

            // The patient's Web Chat reconnects to B, which takes the message up once A's lease ends and answers it.
            await patient.ReconnectAsync(b.BaseAddress);
            var reply = await patient.WaitForAsync(m => m.ReplyToId == stored.Activity.Id && m.Type == ActivityTypes.Message);
            Assert.Contains("988", reply.Text, StringComparison.Ordinal);

            // Answered once: marked processed, and a few more of B's sweeps later still exactly one reply.
            using (var guard = new CancellationTokenSource(PatientClient.Guard))
            {
                while ((await deadA.ListUnprocessedAsync(guard.Token)).Count > 0)
                {
                    await Task.Delay(200, guard.Token);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(4)); // four sweeps of B (Storage:RecoverySweepSeconds = 1): none may answer again
            var transcript = await patient.TranscriptAsync();
            Assert.Single(transcript, t => t.Type == ActivityTypes.Message && t.ReplyToId == stored.Activity.Id);
            Assert.Single(transcript, t => t.Id == stored.Activity.Id);
            Assert.Equal(transcript.Select(t => t.Id), patient.Received.Select(r => r.Id));
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    /// <summary>A fresh database, migrated, with two staff accounts made by the <c>staff</c> command.</summary>
    private async Task<Dictionary<string, string>> NewDatabaseAsync(string label)
    {
        var environment = FaqBotProcess.Environment(await postgres.CreateDatabaseAsync(label));
        var migrated = await FaqBotProcess.RunCommandAsync(environment, "", "migrate");
        Assert.True(migrated.Code == 0, $"migrate failed: {migrated.Error}");
        foreach (var (email, name) in new[] { (Sam, "Sam"), (Kim, "Kim") })
        {
            var added = await FaqBotProcess.RunCommandAsync(environment, StaffKit.Password + "\n", "staff", "add", "--email", email, "--name", name, "--password-stdin");
            Assert.True(added.Code == 0, $"staff add failed: {added.Error}");
        }

        return environment;
    }

    private static string? Conversation(JsonElement feedEvent) => feedEvent.GetProperty("conversationId").GetString();

    private static string? Text(JsonElement feedEvent) =>
        feedEvent.TryGetProperty("activity", out var activity) && activity.ValueKind == JsonValueKind.Object && activity.TryGetProperty("text", out var text) ? text.GetString() : null;
}
