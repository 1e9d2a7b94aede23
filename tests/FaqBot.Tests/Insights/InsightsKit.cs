using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Staff;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Insights;

/// <summary>Real conversations for the insights, and the figures counted straight from the database for comparison.</summary>
internal static class InsightsKit
{
    /// <summary>An answerable question, a question the articles do not cover, and a crisis, each in its own chat; then one
    /// chat escalated and claimed, and a thumbs up and down. All through the real turn handler.</summary>
    public static async Task SeedAsync(FaqBotServer server, StaffClient staff, string missed = "can I bring my parrot along")
    {
        var conversations = server.Services.GetRequiredService<ConversationService>();
        async Task<string> ChatAsync(params string[] messages)
        {
            var id = $"conv{Guid.NewGuid():N}"[..20];
            Assert.True(await conversations.StartAsync(id, StaffKit.Patient, "directline", "en-US"));
            foreach (var message in messages)
            {
                await StaffKit.PatientSaysAsync(server, id, message);
            }

            return id;
        }

        var answered = await ChatAsync("can I drive home after my infusion?", "what does it feel like?");
        await ChatAsync(missed);
        await ChatAsync("I want to kill myself tonight");
        var queued = await StaffKit.QueueAsync(server);
        using (var claim = await staff.PostAsync($"/api/staff/conversations/{queued}/claim"))
        {
            Assert.True(claim.IsSuccessStatusCode, await claim.Content.ReadAsStringAsync());
        }

        var store = server.Services.GetRequiredService<IConversationStore>();
        var now = server.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await store.AddFeedbackAsync(new FeedbackRecord(answered, "a1", "like", "can I drive home after my infusion?", "answer", [], now));
        await store.AddFeedbackAsync(new FeedbackRecord(answered, "a2", "dislike", "what does it feel like?", "answer", [], now));
    }

    /// <summary>One number straight from the SQLite file (independent of the insights' own queries).</summary>
    public static async Task<long> CountAsync(FaqBotServer server, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={server.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static Task<long> OutcomeCountAsync(FaqBotServer server, string outcome) =>
        CountAsync(server, $"SELECT count(*) FROM turns WHERE outcome = '{outcome}'");

    public static Task<long> ConversationsWithPatientMessagesAsync(FaqBotServer server) =>
        CountAsync(server, "SELECT count(DISTINCT conversation_id) FROM turns WHERE outcome IS NOT NULL");

    public static Task<long> FeedbackCountAsync(FaqBotServer server, string reaction) =>
        CountAsync(server, $"SELECT count(*) FROM feedback WHERE reaction = '{reaction}'");

    public static Task<long> ClaimCountAsync(FaqBotServer server) =>
        CountAsync(server, $"SELECT count(*) FROM activities WHERE json LIKE '%\"name\":\"{HandoffEvents.StatusName}\"%' AND json LIKE '%\"state\":\"{HandoffEvents.Accepted}\"%'");

    public static async Task<StaffClient> SignedInAdminAsync(FaqBotServer server, string email = "ada@clinic.example")
    {
        await StaffKit.AddStaffAsync(server, email, "Ada", StaffRoles.Admin);
        return await StaffKit.SignInAsync(server, email);
    }
}
