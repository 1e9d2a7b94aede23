using System.Net;
using System.Text.Json.Nodes;
using FaqBot.Audit;
using FaqBot.Commands;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Storage;
using FaqBot.Tests.Channels.DirectLine;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Security;

/// <summary>Retention, erasure, backups and the files on disk, checked in the database file itself.</summary>
public sealed class PrivacyTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 3, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_retention_job_erases_conversations_callbacks_and_feedback_older_than_retention_days()
    {
        var time = new ManualTime(Start);
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Privacy:RetentionDays"] = "90", ["Staff:DutyHours"] = "never" }, services: s => s.AddSingleton<TimeProvider>(time));
        var old = await StaffKit.QueueAsync(server, "old-secret-question about my dose");
        await StaffKit.PatientSaysAsync(server, old, "Yes");
        await StaffKit.PatientSaysAsync(server, old, "Olga Oldname");
        await StaffKit.PatientSaysAsync(server, old, "555-010-7777");
        await StaffKit.PatientSaysAsync(server, old, "yes");
        time.Now += TimeSpan.FromDays(60);
        var recent = await StaffKit.QueueAsync(server, "recent-question about parking");
        Assert.True(await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "old-secret-question") > 0);

        for (var day = 60; day < 90; day++)
        {
            time.Advance(TimeSpan.FromDays(1)); // the job's timer fires; nothing is 90 days old yet
            await Task.Delay(20);
        }

        Assert.True(await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "old-secret-question") > 0);
        for (var i = 0; i < 100 && await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "old-secret-question") > 0; i++)
        {
            time.Advance(TimeSpan.FromHours(1)); // past 90 days: the next sweep erases the old chat
            await Task.Delay(100);
        }

        foreach (var needle in new[] { "old-secret-question", "Olga Oldname", "555-010-7777" })
        {
            Assert.True(await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, needle) == 0, $"{needle}: {await DatabaseProbe.DescribeAsync(server.DatabasePath, needle)}");
        }

        Assert.Null(await StaffKit.StateAsync(server, old));
        Assert.Empty(await StaffKit.LogAsync(server, old));

        Assert.True(await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "recent-question") > 0);
        var audit = await server.Services.GetRequiredService<IAuditLog>().ListAsync();
        Assert.Contains(audit, e => e.Action == AuditActions.RetentionSweep);
    }

    [Fact]
    public async Task A_patient_can_delete_their_chat_after_confirming_with_a_button()
    {
        await using var server = new FaqBotServer();
        using var client = new DirectLineTestClient(server);
        var chat = await client.StartAsync();
        await client.PostMessageAsync(chat.Token, chat.ConversationId, "my-private-words can I drive afterward?", "c1");
        await client.PostMessageAsync(chat.Token, chat.ConversationId, "please delete my chat", "c2");

        var confirm = (await client.GetActivitiesAsync(chat.Token, chat.ConversationId)).Activities[^1];
        Assert.Contains("delete this chat", confirm.Text, StringComparison.Ordinal);
        Assert.Contains(confirm.SuggestedActions!.Actions, a => a.Value == "Yes, delete my chat");
        Assert.True(await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "my-private-words") > 0);

        await client.PostMessageAsync(chat.Token, chat.ConversationId, "Yes, delete my chat", "c3");

        Assert.Equal(0, await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "my-private-words"));
        Assert.Equal(0, await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "delete my chat"));
        var after = (await client.GetActivitiesAsync(chat.Token, chat.ConversationId)).Activities;
        Assert.Contains(after, a => a.Text?.Contains("has been deleted", StringComparison.Ordinal) == true);
        var audit = await server.Services.GetRequiredService<IAuditLog>().ListAsync();
        var erased = Assert.Single(audit, e => e.Action == AuditActions.ConversationErased);
        Assert.Equal("patient", erased.Actor);

        // The chat goes on: a new question is answered in the same conversation.
        await client.PostMessageAsync(chat.Token, chat.ConversationId, "can I drive afterward?", "c4");
        Assert.Contains((await client.GetActivitiesAsync(chat.Token, chat.ConversationId)).Activities, a => a.Text == "can I drive afterward?");
    }

    [Fact]
    public async Task Saying_no_keeps_the_chat()
    {
        await using var server = new FaqBotServer();
        using var client = new DirectLineTestClient(server);
        var chat = await client.StartAsync();
        await client.PostMessageAsync(chat.Token, chat.ConversationId, "kept-words about driving", "c1");
        await client.PostMessageAsync(chat.Token, chat.ConversationId, "delete my chat", "c2");
        await client.PostMessageAsync(chat.Token, chat.ConversationId, "No, keep it", "c3");
        Assert.True(await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "kept-words") > 0);
    }

    [Fact]
    public async Task An_admin_erases_a_conversation_from_the_console_and_only_an_admin_can()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" });
        await StaffKit.AddStaffAsync(server, "boss@clinic.example", "Boss", StaffRoles.Admin);
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var id = await StaffKit.QueueAsync(server, "erase-me question about my dose");
        await StaffKit.PatientSaysAsync(server, id, "Yes");
        await StaffKit.PatientSaysAsync(server, id, "Nadia Namesake");
        await StaffKit.PatientSaysAsync(server, id, "nadia@example.org");
        await StaffKit.PatientSaysAsync(server, id, "yes");
        Assert.NotEmpty(await server.Services.GetRequiredService<ICallbackStore>().ListAsync());
        var turns = $"SELECT count(*) FROM turns WHERE conversation_id = '{id}'";
        Assert.NotEqual(0, await FaqBot.Tests.Insights.InsightsKit.CountAsync(server, turns));
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var boss = await StaffKit.SignInAsync(server, "boss@clinic.example");

        using (var refused = await sam.PostAsync($"/api/staff/admin/conversations/{id}/erase"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var erased = await boss.PostAsync($"/api/staff/admin/conversations/{id}/erase"))
        {
            Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        }

        foreach (var needle in new[] { "erase-me", "Nadia Namesake", "nadia@example.org" })
        {
            Assert.Equal(0, await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, needle));
        }

        Assert.Equal(0, await FaqBot.Tests.Insights.InsightsKit.CountAsync(server, turns)); // its outcomes leave the insights too
        using var gone = await boss.Http.GetAsync(new Uri($"/api/staff/conversations/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var audit = await boss.GetAsync<List<JsonObject>>("/api/staff/admin/audit");
        Assert.Contains(audit, e => (string?)e["action"] == AuditActions.ConversationErased && (string?)e["actor"] == boss.Me.Id);
    }

    [Fact]
    public async Task Handoff_initiate_refers_to_the_transcript_instead_of_copying_it()
    {
        await using var server = new FaqBotServer();
        var id = await StaffKit.QueueAsync(server, "copy-check: can I talk to a nurse?");
        var initiate = Assert.Single((await StaffKit.LogAsync(server, id)).Events(HandoffEvents.InitiateName));
        var attachment = Assert.Single(initiate.Attachments!);
        Assert.Equal(HandoffEvents.TranscriptReferenceType, attachment.ContentType);
        Assert.Equal($"/api/staff/conversations/{id}", attachment.ContentUrl);
        Assert.DoesNotContain("copy-check", System.Text.Json.JsonSerializer.Serialize(initiate, ActivityJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_database_and_its_folder_are_owner_only_and_the_signing_key_is_not_in_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = Path.Combine(TestPaths.TempRoot, Guid.NewGuid().ToString("N"), "data");
        await using var server = new FaqBotServer(databasePath: Path.Combine(folder, "faqbot.db"));
        using var client = new DirectLineTestClient(server);
        await client.StartAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        foreach (var file in Directory.GetFiles(folder, "faqbot.db*"))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Equal(0, await DatabaseProbe.CountRowsContainingAsync(server.DatabasePath, "directline-signing"));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={server.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'channel_keys'";
        Assert.Equal(0L, await command.ExecuteScalarAsync());
        Assert.True(File.Exists(Path.Combine(server.DatabasePath + ".keys", "directline-signing.key")));
    }

    [Fact]
    public async Task A_backup_made_while_serving_restores_and_reads_back_the_conversation()
    {
        var backup = Path.Combine(TestPaths.TempRoot, Guid.NewGuid().ToString("N"), "backup.db");
        string id;
        await using (var server = new FaqBotServer())
        {
            id = await StaffKit.QueueAsync(server, "backed-up question about my dose");
            await BackupCommand.BackupAsync(server.Services.GetRequiredService<FaqBot.Storage.Sqlite.SqliteDatabase>(), backup);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
        }

        var restored = Path.Combine(TestPaths.TempRoot, Guid.NewGuid().ToString("N"), "faqbot.db");
        Directory.CreateDirectory(Path.GetDirectoryName(restored)!);
        File.Copy(backup, restored);
        await using var again = new FaqBotServer(databasePath: restored);
        var log = await StaffKit.LogAsync(again, id);
        Assert.Contains(log, a => a.Text == "backed-up question about my dose");
        Assert.Equal(HandoffState.Queued, (await StaffKit.StateAsync(again, id))!.Handoff);
    }
}
