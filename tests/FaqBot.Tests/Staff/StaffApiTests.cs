using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Staff;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace FaqBot.Tests.Staff;

public sealed class StaffApiTests
{
    private static readonly string[] ProtectedGets = ["/api/staff/me", "/api/staff/queue", "/api/staff/conversations/x", "/api/staff/callbacks", "/api/staff/feed"];
    private static readonly string[] ProtectedPosts = ["/api/staff/logout", "/api/staff/conversations/x/claim", "/api/staff/conversations/x/messages", "/api/staff/conversations/x/handback", "/api/staff/conversations/x/close", "/api/staff/callbacks/x/done"];

    [Fact]
    public async Task Login_returns_name_role_and_csrf_token_and_sets_a_strict_http_only_cookie()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam", StaffRoles.Admin);
        using var http = server.CreateHttpClient();

        using var response = await http.PostAsJsonAsync("/api/staff/login", new { email = " SAM@clinic.example ", password = StaffKit.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Sam", body.GetProperty("name").GetString());
        Assert.Equal("admin", body.GetProperty("role").GetString());
        Assert.True(body.GetProperty("csrfToken").GetString()!.Length >= 32);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{StaffSignIn.CookieName}=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/api/staff", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Outside_development_the_cookie_is_secure()
    {
        await using var server = new FaqBotServer(environment: "Production");
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var http = server.CreateHttpClient();

        using var response = await http.PostAsJsonAsync("/api/staff/login", new { email = "sam@clinic.example", password = StaffKit.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("; secure", Assert.Single(response.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bad_credentials_and_bad_bodies_get_problem_details()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var http = server.CreateHttpClient();

        using var wrong = await http.PostAsJsonAsync("/api/staff/login", new { email = "sam@clinic.example", password = "not the password" });
        using var unknown = await http.PostAsJsonAsync("/api/staff/login", new { email = "nobody@clinic.example", password = StaffKit.Password });
        using var empty = await http.PostAsJsonAsync("/api/staff/login", new { email = "sam@clinic.example" });
        using var malformed = await http.PostAsync(new Uri("/api/staff/login", UriKind.Relative), new StringContent("{\"email\":", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        await AssertProblemAsync(empty, HttpStatusCode.BadRequest);
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Without_the_cookie_every_staff_route_is_401_problem_not_a_redirect()
    {
        await using var server = new FaqBotServer();
        using var http = server.CreateHttpClient();

        foreach (var path in ProtectedGets)
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        foreach (var path in ProtectedPosts)
        {
            using var response = await http.PostAsJsonAsync(path, new { text = "hi" });
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_patients_direct_line_bearer_token_gets_401()
    {
        await using var server = new FaqBotServer();
        var id = await StaffKit.QueueAsync(server);
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("a-direct-line-signing-key-of-32-bytes!!"));
        var token = new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(
            issuer: "faqbot", audience: "directline",
            claims: [new Claim("conv", id), new Claim("user", StaffKit.Patient.Id)],
            expires: DateTime.UtcNow.AddMinutes(30),
            signingCredentials: new SigningCredentials(key, SecurityAlgorithms.HmacSha256)));
        using var http = server.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var queue = await http.GetAsync(new Uri("/api/staff/queue", UriKind.Relative));
        using var transcript = await http.GetAsync(new Uri($"/api/staff/conversations/{id}", UriKind.Relative));
        using var claim = await http.PostAsJsonAsync($"/api/staff/conversations/{id}/claim", new { });

        await AssertProblemAsync(queue, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(transcript, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(claim, HttpStatusCode.Unauthorized);
        Assert.Equal(HandoffState.Queued, (await StaffKit.StateAsync(server, id))!.Handoff);
    }

    [Fact]
    public async Task State_changing_calls_need_this_sessions_csrf_token()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await StaffKit.AddStaffAsync(server, "ana@clinic.example", "Ana");
        var id = await StaffKit.QueueAsync(server);
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var ana = await StaffKit.SignInAsync(server, "ana@clinic.example");

        using var missing = await sam.Http.PostAsJsonAsync($"/api/staff/conversations/{id}/claim", new { });
        using var wrong = await sam.PostAsync($"/api/staff/conversations/{id}/claim", csrf: (sam.Me.CsrfToken[0] == 'x' ? "y" : "x") + sam.Me.CsrfToken[1..]); // always differs in its first character
        using var anothers = await sam.PostAsync($"/api/staff/conversations/{id}/claim", csrf: ana.Me.CsrfToken);
        using var logout = await sam.Http.PostAsJsonAsync("/api/staff/logout", new { });

        await AssertProblemAsync(missing, HttpStatusCode.Forbidden);
        await AssertProblemAsync(wrong, HttpStatusCode.Forbidden);
        await AssertProblemAsync(anothers, HttpStatusCode.Forbidden);
        await AssertProblemAsync(logout, HttpStatusCode.Forbidden);
        Assert.Equal(HandoffState.Queued, (await StaffKit.StateAsync(server, id))!.Handoff);

        using var right = await sam.PostAsync($"/api/staff/conversations/{id}/claim");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task Me_returns_the_session_so_a_reloaded_console_keeps_working_and_logout_ends_it()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        var me = await sam.GetAsync<SignedInStaff>("/api/staff/me");
        using var logout = await sam.PostAsync("/api/staff/logout");
        using var after = await sam.Http.GetAsync(new Uri("/api/staff/me", UriKind.Relative));

        Assert.Equal(sam.Me, me);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await AssertProblemAsync(after, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_disabled_account_loses_its_session_at_once()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        Assert.True(await server.Services.GetRequiredService<IStaffDirectory>().SetDisabledAsync("sam@clinic.example", true));
        using var queue = await sam.Http.GetAsync(new Uri("/api/staff/queue", UriKind.Relative));
        using var login = await sam.Http.PostAsJsonAsync("/api/staff/login", new { email = "sam@clinic.example", password = StaffKit.Password });

        await AssertProblemAsync(queue, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(login, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Claim_by_a_second_staff_member_is_409_and_the_first_keeps_the_chat()
    {
        await using var server = new FaqBotServer();
        var samAccount = await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await StaffKit.AddStaffAsync(server, "ana@clinic.example", "Ana");
        var id = await StaffKit.QueueAsync(server);
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var ana = await StaffKit.SignInAsync(server, "ana@clinic.example");

        using var first = await sam.PostAsync($"/api/staff/conversations/{id}/claim");
        using var second = await ana.PostAsync($"/api/staff/conversations/{id}/claim");
        using var again = await sam.PostAsync($"/api/staff/conversations/{id}/claim");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var item = await first.Content.ReadFromJsonAsync<QueueItem>();
        Assert.Equal("withStaff", item!.State);
        Assert.Equal(new OwnerView(samAccount.Id, "Sam"), item.Owner);
        var problem = await AssertProblemAsync(second, HttpStatusCode.Conflict);
        Assert.Contains("Sam", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode); // claiming your own chat again is harmless
        Assert.Equal(samAccount.Id, (await StaffKit.StateAsync(server, id))!.Owner!.Id);
        var log = await StaffKit.LogAsync(server, id);
        Assert.Single(log, a => a.Text == "Sam from the care team has joined the chat.");
        Assert.Single(log.Events(HandoffEvents.StatusName), e => e.StatusState() == HandoffEvents.Accepted);
    }

    [Fact]
    public async Task Concurrent_claims_give_exactly_one_owner()
    {
        await using var server = new FaqBotServer();
        var names = new[] { "Sam", "Ana", "Lee", "Kim" };
        foreach (var name in names)
        {
            await StaffKit.AddStaffAsync(server, $"{name.ToLowerInvariant()}@clinic.example", name);
        }

        var id = await StaffKit.QueueAsync(server);
        var clients = await Task.WhenAll(names.Select(n => StaffKit.SignInAsync(server, $"{n.ToLowerInvariant()}@clinic.example")));

        var responses = await Task.WhenAll(clients.Select(c => c.PostAsync($"/api/staff/conversations/{id}/claim")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Single((await StaffKit.LogAsync(server, id)).Events(HandoffEvents.StatusName), e => e.StatusState() == HandoffEvents.Accepted);
        foreach (var d in responses.Cast<IDisposable>().Concat(clients))
        {
            d.Dispose();
        }
    }

    [Fact]
    public async Task Replying_needs_ownership_and_a_sensible_text()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await StaffKit.AddStaffAsync(server, "ana@clinic.example", "Ana");
        var id = await StaffKit.QueueAsync(server);
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var ana = await StaffKit.SignInAsync(server, "ana@clinic.example");

        using var beforeClaim = await sam.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "Hello" });
        (await sam.PostAsync($"/api/staff/conversations/{id}/claim")).Dispose();
        using var notOwner = await ana.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "Hello from Ana" });
        using var empty = await sam.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "   " });
        using var tooLong = await sam.PostAsync($"/api/staff/conversations/{id}/messages", new { text = new string('a', 4001) });
        using var unknown = await sam.PostAsync("/api/staff/conversations/nope/messages", new { text = "Hello" });
        using var handBackByOther = await ana.PostAsync($"/api/staff/conversations/{id}/handback");
        using var closeByOther = await ana.PostAsync($"/api/staff/conversations/{id}/close");

        await AssertProblemAsync(beforeClaim, HttpStatusCode.Conflict);
        await AssertProblemAsync(notOwner, HttpStatusCode.Conflict);
        await AssertProblemAsync(empty, HttpStatusCode.BadRequest);
        await AssertProblemAsync(tooLong, HttpStatusCode.BadRequest);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        await AssertProblemAsync(handBackByOther, HttpStatusCode.Conflict);
        await AssertProblemAsync(closeByOther, HttpStatusCode.Conflict);
        var log = await StaffKit.LogAsync(server, id);
        Assert.DoesNotContain(log, a => a.From?.Id.StartsWith("staff:", StringComparison.Ordinal) == true);
        Assert.Equal(HandoffState.WithStaff, (await StaffKit.StateAsync(server, id))!.Handoff);
    }

    [Fact]
    public async Task Claim_reply_and_hand_back_tell_the_patient_and_record_the_handoff_events()
    {
        await using var server = new FaqBotServer();
        var samAccount = await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var id = await StaffKit.QueueAsync(server, "I want to speak to a nurse");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        using var claim = await sam.PostAsync($"/api/staff/conversations/{id}/claim");
        using var reply = await sam.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "Hi, this is Sam. How can I help?" });
        await StaffKit.PatientSaysAsync(server, id, "I have a question about my dose");
        using var handBack = await sam.PostAsync($"/api/staff/conversations/{id}/handback");

        Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, handBack.StatusCode);
        Assert.Equal("bot", (await handBack.Content.ReadFromJsonAsync<QueueItem>())!.State);
        var log = await StaffKit.LogAsync(server, id);

        var initiate = Assert.Single(log.Events(HandoffEvents.InitiateName));
        Assert.Equal(EscalationReasons.AskForPerson, initiate.Value!["reason"]!.ToString());
        Assert.Equal(TestPaths.Reasons.Get(EscalationReasons.AskForPerson).Priority, (int)initiate.Value!["priority"]!);
        var transcript = Assert.Single(initiate.Attachments!);
        Assert.Equal((HandoffEvents.TranscriptReferenceType, "Transcript"), (transcript.ContentType, transcript.Name));
        Assert.Equal(id, (string?)transcript.Content!["conversationId"]); // a reference to the transcript, not a second copy

        var joined = Assert.Single(log, a => a.Text == "Sam from the care team has joined the chat.");
        Assert.Equal(RoleTypes.Bot, joined.From!.Role);
        var staffMessage = Assert.Single(log, a => a.Text == "Hi, this is Sam. How can I help?");
        Assert.Equal(ActivityTypes.Message, staffMessage.Type);
        Assert.Equal(new ChannelAccount($"staff:{samAccount.Id}", "Sam", RoleTypes.Bot), staffMessage.From);
        Assert.NotNull(staffMessage.Timestamp);
        Assert.Single(log, a => a.Text == HandoffTexts.HandedBack);
        string[] statuses = [HandoffEvents.Accepted, HandoffEvents.Completed];
        Assert.Equal(statuses, log.Events(HandoffEvents.StatusName).Select(e => e.StatusState() ?? "").ToArray());
        Assert.True(Index(log, initiate) < Index(log, joined) && Index(log, joined) < Index(log, staffMessage));

        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal((HandoffState.Bot, null, null), (state.Handoff, state.Owner, state.Escalation));
        Assert.Empty(await sam.QueueAsync());
    }

    [Fact]
    public async Task Closing_leaves_a_note_for_the_patient_and_takes_the_chat_off_the_queue()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await StaffKit.AddStaffAsync(server, "boss@clinic.example", "Pat", StaffRoles.Admin);
        var unclaimed = await StaffKit.QueueAsync(server);
        var claimed = await StaffKit.QueueAsync(server);
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var admin = await StaffKit.SignInAsync(server, "boss@clinic.example");
        (await sam.PostAsync($"/api/staff/conversations/{claimed}/claim")).Dispose();

        using var closeUnclaimed = await sam.PostAsync($"/api/staff/conversations/{unclaimed}/close");
        using var adminCloses = await admin.PostAsync($"/api/staff/conversations/{claimed}/close");
        using var replyAfterClose = await sam.PostAsync($"/api/staff/conversations/{claimed}/messages", new { text = "Still there?" });

        Assert.Equal(HttpStatusCode.OK, closeUnclaimed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminCloses.StatusCode);
        await AssertProblemAsync(replyAfterClose, HttpStatusCode.Conflict);
        foreach (var id in new[] { unclaimed, claimed })
        {
            var log = await StaffKit.LogAsync(server, id);
            Assert.Single(log, a => a.Text == HandoffTexts.Closed);
            Assert.Equal(HandoffEvents.Completed, log.Events(HandoffEvents.StatusName).Last().StatusState());
            Assert.Equal(HandoffState.Closed, (await StaffKit.StateAsync(server, id))!.Handoff);
        }

        Assert.Empty(await sam.QueueAsync());
    }

    [Fact]
    public async Task The_queue_puts_risk_first_then_the_longest_wait()
    {
        var time = new ManualTime(new DateTimeOffset(2025, 3, 3, 15, 0, 0, TimeSpan.Zero));
        await using var server = new FaqBotServer(services: s => s.AddSingleton<TimeProvider>(time));
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var older = await StaffKit.QueueAsync(server, "Can someone call me?", EscalationReasons.AskForPerson, time.Now.AddMinutes(-9));
        var newer = await StaffKit.QueueAsync(server, "Talk to a human please", EscalationReasons.AskForPerson, time.Now.AddMinutes(-2));
        var crisis = await StaffKit.QueueAsync(server, "I don't want to be alive anymore", EscalationReasons.Crisis, time.Now.AddMinutes(-1));
        var billing = await StaffKit.QueueAsync(server, "How much does it cost?", "cost", time.Now.AddMinutes(-30));
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        var queue = await sam.QueueAsync();

        Assert.Equal([crisis, older, newer, billing], queue.Select(q => q.ConversationId).ToArray());
        var top = queue[0];
        Assert.Equal(("queued", EscalationReasons.Crisis, 100, 60L), (top.State, top.Reason, top.Priority, top.WaitingSeconds));
        Assert.Equal("I don't want to be alive anymore", top.FirstQuestion);
        Assert.Equal("I don't want to be alive anymore", top.LastMessage);
        Assert.Null(top.Owner);
    }

    [Fact]
    public async Task The_live_feed_pushes_queue_changes_raised_priority_and_patient_messages()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        await using var feed = await FeedReader.OpenAsync(sam);

        var id = await StaffKit.QueueAsync(server);
        await feed.NextAsync("queue", e => e.GetProperty("conversationId").GetString() == id);
        (await sam.PostAsync($"/api/staff/conversations/{id}/claim")).Dispose();
        await StaffKit.PatientSaysAsync(server, id, "thanks for joining");
        var message = await feed.NextAsync("activity", e => e.GetProperty("activity").GetProperty("sender").GetString() == "patient");

        Assert.Equal(id, message.GetProperty("conversationId").GetString());
        Assert.Equal("thanks for joining", message.GetProperty("activity").GetProperty("text").GetString());

        // The turn handler raises the priority when the safety screen fires while staff own the chat.
        await server.Services.GetRequiredService<FaqBot.Conversation.ConversationService>().UpdateAsync(id, s =>
            (s with { Escalation = s.Escalation! with { Reason = EscalationReasons.Crisis, Priority = 100 } }, []));
        await feed.NextAsync("queue", e => e.GetProperty("conversationId").GetString() == id);
        var item = Assert.Single(await sam.QueueAsync());
        Assert.Equal((EscalationReasons.Crisis, 100, "withStaff"), (item.Reason, item.Priority, item.State));
    }

    [Fact]
    public async Task The_transcript_shows_the_passages_the_bot_cited_the_reason_and_feedback()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var id = await StaffKit.QueueAsync(server, "Can I drive afterward?", EscalationReasons.ThumbsDown);
        var conversations = server.Services.GetRequiredService<FaqBot.Conversation.ConversationService>();
        var answer = await conversations.AppendAsync(id, new Activity
        {
            From = FaqBot.Conversation.ConversationService.Bot,
            Text = "No, do not drive until the next day[1].\n\n[1]: cite:1 \"After your infusion\"",
            TextFormat = "markdown",
            Entities = [System.Text.Json.Nodes.JsonNode.Parse("""
                {"type":"https://schema.org/Message","@context":"https://schema.org","@id":"","@type":"Message",
                 "citation":[{"@type":"Claim","position":1,"appearance":{"@type":"DigitalDocument","name":"After your infusion","text":"Arrange for someone to drive you home."}}]}
                """)!.AsObject()],
        });
        await server.Services.GetRequiredService<FaqBot.Conversation.IConversationStore>().AddFeedbackAsync(new FaqBot.Conversation.FeedbackRecord(
            id, answer.Activity.Id!, "dislike", "Can I drive afterward?", "answer", ["ketamine-therapy-before-during-and-after.md#after"], DateTimeOffset.UtcNow));
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        var detail = await sam.GetAsync<ConversationDetail>($"/api/staff/conversations/{id}");

        Assert.Equal(EscalationReasons.ThumbsDown, detail.Summary.Reason);
        var cited = Assert.Single(detail.Transcript, e => e.Citations.Count > 0);
        Assert.Equal(("assistant", "1", "After your infusion", "Arrange for someone to drive you home."), (cited.Sender, cited.Citations[0].Position, cited.Citations[0].Title, cited.Citations[0].Text));
        Assert.Contains(detail.Transcript, e => e.Sender == "patient" && e.Text == "Can I drive afterward?");
        Assert.Contains(detail.Transcript, e => e.EventName == HandoffEvents.InitiateName);
        var feedback = Assert.Single(detail.Feedback);
        Assert.Equal(("dislike", answer.Activity.Id), (feedback.Reaction, feedback.ActivityId));
        Assert.Equal(["ketamine-therapy-before-during-and-after.md#after"], feedback.CitedPassages);
        Assert.Contains(detail.Brief, l => l.Contains(TestPaths.Reasons.LabelOf(EscalationReasons.ThumbsDown), StringComparison.Ordinal));
        Assert.Contains(detail.Brief, l => l.Contains("After your infusion", StringComparison.Ordinal));
        Assert.Contains(detail.Brief, l => l.Contains("1 thumbs down", StringComparison.Ordinal));
        using var missing = await sam.Http.GetAsync(new Uri("/api/staff/conversations/nope", UriKind.Relative));
        await AssertProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_console_page_is_served_with_a_strict_content_security_policy()
    {
        await using var server = new FaqBotServer();
        using var http = server.CreateHttpClient();

        using var page = await http.GetAsync(new Uri("/staff", UriKind.Relative));
        using var script = await http.GetAsync(new Uri("/staff/staff.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Contains("/staff/staff.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.DoesNotContain("innerHTML", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    private static int Index(IReadOnlyList<Activity> log, Activity a) => log.ToList().FindIndex(x => x.Id == a.Id);
}
