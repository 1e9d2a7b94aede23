using System.Net;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Storage.Postgres;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Storage;

/// <summary>The whole web host on PostgreSQL, twice over one database (two instances).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresHostTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Two_instances_share_staff_sign_ins_and_exactly_one_of_two_claims_on_different_instances_wins()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:FaqBot"] = await postgres.CreateDatabaseAsync(nameof(PostgresHostTests)),
            ["Staff:DutyHours"] = "always",
        };
        await using var a = new FaqBotServer(settings);
        await using var b = new FaqBotServer(settings);
        Assert.IsType<PostgresConversationStore>(a.Services.GetRequiredService<IConversationStore>());

        // A patient's message stored and answered on A is read on B.
        var id = await StaffKit.StartAsync(a);
        await StaffKit.PatientSaysAsync(a, id, "Can I drive home after my infusion?");
        var log = await StaffKit.LogAsync(b, id);
        Assert.Contains(log, x => x.Type == ActivityTypes.Message && x.From?.Role == RoleTypes.Bot && x.ReplyToId == log.Single(p => p.Text == "Can I drive home after my infusion?").Id);

        // One generated Direct Line signing key for both (kept in the database, protected by the shared key ring).
        var keyA = await a.Services.GetRequiredService<FaqBot.Channels.DirectLine.DirectLineSigningKey>().GetAsync();
        var keyB = await b.Services.GetRequiredService<FaqBot.Channels.DirectLine.DirectLineSigningKey>().GetAsync();
        Assert.Equal(keyA.Key, keyB.Key);
        var database = a.Services.GetRequiredService<PostgresDatabase>();
        Assert.True(await database.ScalarAsync<long>("SELECT count(*) FROM data_protection_keys") >= 1);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM secrets"));

        // Staff signed in on A use B with the same cookie (sessions are in the database).
        await StaffKit.AddStaffAsync(a, "ann@example.com", "Ann");
        await StaffKit.AddStaffAsync(a, "bo@example.com", "Bo");
        using var ann = await StaffKit.SignInAsync(a, "ann@example.com");
        using var bo = await StaffKit.SignInAsync(b, "bo@example.com");
        using var annOnB = b.CreateHttpClient();
        var cookie = ann.Cookies.GetCookies(new Uri(a.BaseAddress, "/api/staff/"))[FaqBot.Staff.StaffSignIn.CookieName]!;
        annOnB.DefaultRequestHeaders.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        using (var queue = await annOnB.GetAsync(new Uri("/api/staff/queue", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        }

        for (var round = 0; round < 5; round++)
        {
            var queued = await StaffKit.QueueAsync(a);
            var claims = await Task.WhenAll(
                ann.PostAsync($"/api/staff/conversations/{queued}/claim"),
                bo.PostAsync($"/api/staff/conversations/{queued}/claim"));
            var codes = claims.Select(c => c.StatusCode).Order().ToArray();
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], codes);
            var owner = (await StaffKit.StateAsync(b, queued))!.Owner!;
            Assert.Equal(claims[0].StatusCode == HttpStatusCode.OK ? ann.Me.Id : bo.Me.Id, owner.Id);
            Assert.Single((await StaffKit.LogAsync(a, queued)).Events(HandoffEvents.StatusName), e => e.StatusState() == HandoffEvents.Accepted);
            foreach (var claim in claims)
            {
                claim.Dispose();
            }
        }
    }
}
