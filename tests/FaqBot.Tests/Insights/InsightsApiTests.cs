using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FaqBot.Answering;
using FaqBot.Audit;
using FaqBot.Insights;
using FaqBot.Staff;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;

namespace FaqBot.Tests.Insights;

public sealed class InsightsApiTests
{
    private static readonly string[] StaffGets = ["/api/staff/insights", "/api/staff/insights/missed", "/api/staff/insights/figures.csv", "/api/staff/insights/missed.csv", "/api/staff/knowledge/search?q=drive", "/api/staff/taught", "/api/staff/article-requests"];

    [Fact]
    public async Task The_figures_equal_a_direct_count_in_the_database()
    {
        await using var server = new FaqBotServer();
        using var admin = await InsightsKit.SignedInAdminAsync(server);
        await InsightsKit.SeedAsync(server, admin);

        var report = await admin.GetAsync<InsightsReport>("/api/staff/insights");

        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Answer), report.Outcomes.Answered);
        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Clarify), report.Outcomes.Clarified);
        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Fallback), report.Outcomes.FellBack);
        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Handoff), report.Outcomes.HandedOff);
        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Crisis), report.Outcomes.Crisis);
        Assert.True(report.Outcomes.Answered >= 2 && report.Outcomes.FellBack >= 1 && report.Outcomes.Crisis >= 1, JsonSerializer.Serialize(report.Outcomes));
        Assert.Equal(await InsightsKit.ConversationsWithPatientMessagesAsync(server), report.Conversations);
        Assert.Equal(report.Conversations, report.ConversationsPerDay.Sum(d => d.Count));
        Assert.Equal(30, report.ConversationsPerDay.Count);
        Assert.Equal(await InsightsKit.FeedbackCountAsync(server, "like"), report.Feedback.Up);
        Assert.Equal(await InsightsKit.FeedbackCountAsync(server, "dislike"), report.Feedback.Down);
        Assert.Equal(await InsightsKit.ClaimCountAsync(server), report.TimeToClaim.Claims);
        Assert.Equal(1, report.TimeToClaim.Claims);
        Assert.NotNull(report.TimeToClaim.MedianSeconds);
        Assert.Equal(await InsightsKit.CountAsync(server, "SELECT count(*) FROM turns WHERE outcome IS NOT NULL"), report.MessagesByHour.Sum());
        Assert.Equal(24, report.MessagesByHour.Count);
    }

    [Fact]
    public async Task A_period_before_the_chats_counts_nothing_and_a_bad_period_is_a_problem()
    {
        await using var server = new FaqBotServer();
        using var admin = await InsightsKit.SignedInAdminAsync(server);
        await InsightsKit.SeedAsync(server, admin);

        var empty = await admin.GetAsync<InsightsReport>("/api/staff/insights?from=2020-01-01&to=2020-01-31");
        Assert.Equal(0, empty.Conversations);
        Assert.Equal(0, empty.Outcomes.Answered + empty.Outcomes.FellBack + empty.Outcomes.Crisis + empty.Feedback.Up + empty.Feedback.Down + empty.TimeToClaim.Claims);

        foreach (var bad in new[] { "?from=2026-13-01", "?from=2026-02-01&to=2026-01-01", "?from=2020-01-01&to=2026-01-01", "?to=yesterday" })
        {
            using var response = await admin.Http.GetAsync(new Uri("/api/staff/insights" + bad, UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Missed_questions_are_listed_grouped_and_exported_without_patient_identifiers()
    {
        await using var server = new FaqBotServer();
        using var admin = await InsightsKit.SignedInAdminAsync(server);
        await InsightsKit.SeedAsync(server, admin, missed: "=HYPERLINK(\"http://evil.example\") can I bring my parrot");

        var groups = await admin.GetAsync<List<MissedGroupView>>("/api/staff/insights/missed");
        var parrot = Assert.Single(groups, g => g.Question.Contains("parrot", StringComparison.Ordinal));
        Assert.Equal(MissKinds.Fallback, Assert.Single(parrot.Examples).Kind);
        Assert.Contains(groups, g => g.Kinds.ContainsKey(MissKinds.ThumbsDown) && g.Question == "what does it feel like?");

        using var csv = await admin.Http.GetAsync(new Uri("/api/staff/insights/missed.csv", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        Assert.StartsWith("group,group_question,group_count,question,kind,day", text.TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\") can I bring my parrot\"", text, StringComparison.Ordinal); // a formula is never live
        Assert.DoesNotContain(parrot.Examples[0].ConversationId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(StaffKit.Patient.Id, text, StringComparison.Ordinal);

        var report = await admin.GetAsync<InsightsReport>("/api/staff/insights");
        var figures = await admin.Http.GetStringAsync(new Uri("/api/staff/insights/figures.csv", UriKind.Relative));
        Assert.Contains($"outcome,answered,{report.Outcomes.Answered}\r\n", figures, StringComparison.Ordinal);
        Assert.Contains($"outcome,crisis,{report.Outcomes.Crisis}\r\n", figures, StringComparison.Ordinal);
        Assert.Contains($"feedback,thumbs_down,{report.Feedback.Down}\r\n", figures, StringComparison.Ordinal);
        Assert.Contains($"conversations,total,{report.Conversations}\r\n", figures, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Teaching_a_missed_question_answers_it_with_the_taught_passage_and_removing_it_restores_the_old_answer()
    {
        const string Question = "do many folks get zero benefit";
        await using var server = new FaqBotServer();
        using var admin = await InsightsKit.SignedInAdminAsync(server);
        var before = await AskAsync(server, Question);
        Assert.DoesNotContain(before.Entities ?? [], e => e["@type"]?.ToString() == "Claim"); // no citation: the bot missed it
        Assert.Contains("don't cover", before.Text, StringComparison.Ordinal);

        var choices = await admin.GetAsync<List<PassageChoice>>("/api/staff/knowledge/search?q=" + Uri.EscapeDataString("does ketamine work for everyone"));
        var pick = choices[0];
        using var taught = await admin.PostAsync("/api/staff/taught", new { question = Question, source = pick.Source, section = pick.Section, passage = pick.Passage });
        Assert.Equal(HttpStatusCode.Created, taught.StatusCode);
        var record = (await taught.Content.ReadFromJsonAsync<JsonElement>());

        var after = await AskAsync(server, Question);
        Assert.Contains(pick.Passage.Trim()[..40], after.Text, StringComparison.Ordinal);
        Assert.Contains(after.Entities ?? [], e => e.ToJsonString().Contains(pick.Title, StringComparison.Ordinal)); // cited with its source

        var list = await admin.GetAsync<List<JsonElement>>("/api/staff/taught");
        var entry = Assert.Single(list);
        Assert.Equal(admin.Me.Id, entry.GetProperty("taughtBy").GetString());
        Assert.Equal("Ada", entry.GetProperty("taughtByName").GetString());
        Assert.True(entry.GetProperty("taughtAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        var audit = await admin.GetAsync<List<AuditEntry>>("/api/staff/admin/audit");
        Assert.Contains(audit, a => a.Action == AuditActions.QuestionTaught && a.Actor == admin.Me.Id && a.Target!.Contains(pick.Source, StringComparison.Ordinal));
        Assert.DoesNotContain(audit, a => (a.Target ?? "").Contains(Question, StringComparison.Ordinal)); // the log names no patient words

        using (var again = await admin.PostAsync("/api/staff/taught", new { question = Question, source = pick.Source, section = pick.Section, passage = pick.Passage }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode); // taught already: not twice
        }

        var remove = new HttpRequestMessage(HttpMethod.Delete, $"/api/staff/admin/taught/{record.GetProperty("id").GetInt64()}");
        remove.Headers.Add(StaffEndpoints.CsrfHeader, admin.Me.CsrfToken);
        using (var removed = await admin.Http.SendAsync(remove))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        var restored = await AskAsync(server, Question);
        Assert.Equal(before.Text, restored.Text);
        Assert.Contains(await admin.GetAsync<List<AuditEntry>>("/api/staff/admin/audit"), a => a.Action == AuditActions.TaughtQuestionRemoved && a.Actor == admin.Me.Id);
    }

    [Fact]
    public async Task Teaching_refuses_an_empty_question_and_a_passage_not_in_the_articles()
    {
        await using var server = new FaqBotServer();
        using var admin = await InsightsKit.SignedInAdminAsync(server);
        var pick = (await admin.GetAsync<List<PassageChoice>>("/api/staff/knowledge/search?q=drive"))[0];

        using var empty = await admin.PostAsync("/api/staff/taught", new { question = "  ", source = pick.Source, section = pick.Section, passage = pick.Passage });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        using var tooLong = await admin.PostAsync("/api/staff/taught", new { question = new string('a', 501), source = pick.Source, section = pick.Section, passage = pick.Passage });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        using var invented = await admin.PostAsync("/api/staff/taught", new { question = "can I drive", source = pick.Source, section = pick.Section, passage = "You may drive yourself home." });
        Assert.Equal(HttpStatusCode.Conflict, invented.StatusCode);
        Assert.Empty(await admin.GetAsync<List<JsonElement>>("/api/staff/taught"));
    }

    [Fact]
    public async Task Needs_an_article_lists_the_question_until_an_admin_closes_it()
    {
        await using var server = new FaqBotServer();
        using var admin = await InsightsKit.SignedInAdminAsync(server);
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        using var created = await sam.PostAsync("/api/staff/article-requests", new { question = "can I bring my parrot" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var request = Assert.Single(await admin.GetAsync<List<JsonElement>>("/api/staff/article-requests"));
        Assert.Equal("can I bring my parrot", request.GetProperty("question").GetString());
        Assert.Equal(sam.Me.Id, request.GetProperty("requestedBy").GetString());

        var path = $"/api/staff/admin/article-requests/{request.GetProperty("id").GetInt64()}";
        var bySam = new HttpRequestMessage(HttpMethod.Delete, path);
        bySam.Headers.Add(StaffEndpoints.CsrfHeader, sam.Me.CsrfToken);
        using (var refused = await sam.Http.SendAsync(bySam))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // staff list, admins close
        }

        var byAdmin = new HttpRequestMessage(HttpMethod.Delete, path);
        byAdmin.Headers.Add(StaffEndpoints.CsrfHeader, admin.Me.CsrfToken);
        using (var closed = await admin.Http.SendAsync(byAdmin))
        {
            Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        }

        Assert.Empty(await admin.GetAsync<List<JsonElement>>("/api/staff/article-requests"));
    }

    [Fact]
    public async Task Insights_and_teaching_are_for_signed_in_staff_with_csrf_and_removal_is_for_admins()
    {
        await using var server = new FaqBotServer();
        using var anonymous = server.CreateHttpClient();
        foreach (var path in StaffGets)
        {
            using var response = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var post = await anonymous.PostAsJsonAsync("/api/staff/taught", new { question = "x" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        }

        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        foreach (var path in StaffGets)
        {
            using var response = await sam.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var pick = (await sam.GetAsync<List<PassageChoice>>("/api/staff/knowledge/search?q=drive"))[0];
        using (var noCsrf = await sam.Http.PostAsJsonAsync("/api/staff/taught", new { question = "can i drive home", source = pick.Source, section = pick.Section, passage = pick.Passage }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noCsrf.StatusCode);
        }

        using var taught = await sam.PostAsync("/api/staff/taught", new { question = "can i drive home", source = pick.Source, section = pick.Section, passage = pick.Passage });
        Assert.Equal(HttpStatusCode.Created, taught.StatusCode);
        var remove = new HttpRequestMessage(HttpMethod.Delete, $"/api/staff/admin/taught/{(await taught.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64()}");
        remove.Headers.Add(StaffEndpoints.CsrfHeader, sam.Me.CsrfToken);
        using var refused = await sam.Http.SendAsync(remove);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Single(await sam.GetAsync<List<JsonElement>>("/api/staff/taught"));
    }

    /// <summary>The patient's message through the real turn; the bot's reply to it.</summary>
    private static async Task<FaqBot.Schema.Activity> AskAsync(FaqBotServer server, string question)
    {
        var id = $"conv{Guid.NewGuid():N}"[..20];
        var conversations = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<FaqBot.Conversation.ConversationService>(server.Services);
        Assert.True(await conversations.StartAsync(id, StaffKit.Patient, "directline", "en-US"));
        var asked = await StaffKit.PatientSaysAsync(server, id, question);
        return (await StaffKit.LogAsync(server, id)).First(a => a.ReplyToId == asked.Activity.Id && a.Type == FaqBot.Schema.ActivityTypes.Message);
    }
}
