using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Safety;

/// <summary>The crisis response through the real server and store: complete in every state, never
/// followed by the callback dialogue, and never lost to a crash between storing and the turn.</summary>
public sealed class CrisisResponseTests
{
    private const string Crisis = "I want to kill myself";

    [Fact]
    public async Task With_nobody_on_duty_the_crisis_reply_says_the_chat_is_not_watched_and_no_callback_follows()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" });
        var id = await StartAsync(server);

        await StaffKit.PatientSaysAsync(server, id, Crisis);

        var said = BotMessagesAfterPatient(await StaffKit.LogAsync(server, id));
        var reply = Assert.Single(said);
        Assert.Contains("not watched by a person right now", reply.Text, StringComparison.Ordinal);
        Assert.Contains("988", reply.Text, StringComparison.Ordinal);
        AssertCard(reply);
        Assert.DoesNotContain(said, m => m.Text!.Contains(HandoffTexts.OfferCallback, StringComparison.Ordinal));
        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.Queued, null, EscalationReasons.Crisis), (state.Handoff, state.Pending, state.Escalation!.Reason));

        // A long wait never turns it into a callback either, and the next message still gets the crisis lines.
        var offered = await server.Services.GetRequiredService<HandoffService>().OfferLongWaitCallbacksAsync(DateTimeOffset.UtcNow.AddHours(2));
        Assert.Equal(0, offered);
        await StaffKit.PatientSaysAsync(server, id, "i have the pills here");
        Assert.Null((await StaffKit.StateAsync(server, id))!.Pending);
        Assert.DoesNotContain(await StaffKit.LogAsync(server, id), m => m.Text?.Contains(HandoffTexts.OfferCallback, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task With_staff_online_the_crisis_reply_says_the_care_team_was_alerted()
    {
        await using var server = new FaqBotServer();
        using var online = server.Services.GetRequiredService<StaffPresence>().Enter(new StaffRef("st_1", "Sam"));
        var id = await StartAsync(server);

        await StaffKit.PatientSaysAsync(server, id, "i took all my pills");

        var reply = Assert.Single(BotMessagesAfterPatient(await StaffKit.LogAsync(server, id)));
        Assert.Contains("alerted our care team as urgent", reply.Text, StringComparison.Ordinal);
        Assert.Contains("1-800-222-1222", reply.Text, StringComparison.Ordinal);
        Assert.Contains(CardUrls(reply), u => u == "tel:18002221222");
        AssertCard(reply);
    }

    [Fact]
    public async Task With_staff_in_the_chat_the_crisis_reply_is_complete_and_the_staff_member_keeps_it()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var id = await StaffKit.QueueAsync(server);
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using (await sam.PostAsync($"/api/staff/conversations/{id}/claim"))
        {
        }

        await StaffKit.PatientSaysAsync(server, id, Crisis);

        var reply = BotMessagesAfterPatient(await StaffKit.LogAsync(server, id)).Single(m => m.Attachments is { Count: > 0 });
        Assert.Contains("marked this urgent for Sam", reply.Text, StringComparison.Ordinal);
        AssertCard(reply);
        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.WithStaff, "Sam", 100), (state.Handoff, state.Owner?.Name, state.Escalation!.Priority));
    }

    [Fact]
    public async Task A_stored_crisis_message_whose_turn_never_ran_is_answered_and_queued_first_after_a_restart_exactly_once()
    {
        var database = Path.Combine(TestPaths.TempRoot, $"{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" };
        string id, waiting;
        await using (var server = new FaqBotServer(settings, database))
        {
            waiting = await StaffKit.QueueAsync(server, "Can I talk to a nurse?", at: DateTimeOffset.UtcNow.AddMinutes(-30));
            id = await StartAsync(server);
            var conversations = server.Services.GetRequiredService<ConversationService>();
            conversations.FaultAfterStoreForTests = _ => throw new SimulatedCrash();

            await Assert.ThrowsAsync<SimulatedCrash>(() => StaffKit.PatientSaysAsync(server, id, Crisis));

            // Stored (rule 5), but the process "died" before the turn: no reply, not queued.
            var log = await StaffKit.LogAsync(server, id);
            Assert.Contains(log, a => a.Text == Crisis);
            Assert.Empty(BotMessagesAfterPatient(log));
            Assert.Equal(HandoffState.Bot, (await StaffKit.StateAsync(server, id))!.Handoff);
        }

        for (var restart = 0; restart < 2; restart++)
        {
            await using var server = new FaqBotServer(settings, database);

            var log = await StaffKit.LogAsync(server, id);
            var reply = Assert.Single(BotMessagesAfterPatient(log));
            Assert.Equal(log.Single(a => a.Text == Crisis).Id, reply.ReplyToId);
            AssertCard(reply);
            Assert.Single(log.Events(HandoffEvents.InitiateName));
            var queue = await server.Services.GetRequiredService<IConversationStore>().ListByHandoffAsync([HandoffState.Queued]);
            Assert.Equal([id, waiting], queue.Select(s => s.ConversationId).ToArray());
            Assert.Empty(await server.Services.GetRequiredService<IConversationStore>().ListUnprocessedAsync());
        }
    }

    private static async Task<string> StartAsync(FaqBotServer server)
    {
        var id = $"conv{Guid.NewGuid():N}"[..20];
        Assert.True(await server.Services.GetRequiredService<ConversationService>().StartAsync(id, StaffKit.Patient, "directline", "en-US"));
        return id;
    }

    /// <summary>The bot's messages after the patient's first message.</summary>
    private static List<Activity> BotMessagesAfterPatient(IReadOnlyList<Activity> log) =>
        [.. log.SkipWhile(a => a.From?.Role != RoleTypes.User).Where(a => a.Type == ActivityTypes.Message && a.From?.Role != RoleTypes.User)];

    private static IEnumerable<string> CardUrls(Activity reply) =>
        reply.Attachments!.Single(a => a.ContentType == SafetyResponder.HeroCardType).Content!["buttons"]!.AsArray().Select(b => b!["value"]!.GetValue<string>());

    private static void AssertCard(Activity reply)
    {
        var card = Assert.Single(reply.Attachments!, a => a.ContentType == "application/vnd.microsoft.card.hero");
        Assert.False(string.IsNullOrWhiteSpace(card.Content!["title"]!.GetValue<string>()));
        var urls = CardUrls(reply).ToList();
        Assert.Contains("tel:988", urls);
        Assert.Contains("sms:988", urls);
        Assert.Contains("tel:911", urls);
        Assert.Contains(urls, u => u.StartsWith("tel:555", StringComparison.Ordinal)); // Clinic:Phone of appsettings.json
    }

    private sealed class SimulatedCrash : Exception;
}
