using System.Runtime.CompilerServices;
using System.Net.ServerSentEvents;
using System.Security.Claims;
using System.Text.Json;
using FaqBot.Audit;
using FaqBot.Channels;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FaqBot.Staff;

/// <summary>
/// The staff JSON API under <c>/api/staff</c>. Every route but login needs the session cookie
/// (401 otherwise); every state-changing one also the <c>X-CSRF-TOKEN</c> header (403 otherwise).
/// Errors are ProblemDetails.
/// </summary>
public static class StaffEndpoints
{
    public const string CsrfHeader = "X-CSRF-TOKEN";

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(20);

    public static IEndpointRouteBuilder MapStaffApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/staff").WithTags("Staff");
        api.MapPost("/login", Login).RequireRateLimiting(RateLimitSetup.SignIn);

        var read = api.MapGroup("").RequireAuthorization(StaffAuthenticationHandler.Policy);
        read.MapGet("/me", Me);
        read.MapGet("/queue", Queue);
        read.MapGet("/conversations/{id}", Conversation);
        read.MapGet("/callbacks", Callbacks);
        read.MapGet("/feed", Feed);
        read.MapGet("/colleagues", Colleagues);
        read.MapGet("/members", Members);
        read.MapGet("/history", History);
        read.MapGet("/reasons", Reasons);
        read.MapGet("/saved-replies", SavedReplies);

        var write = api.MapGroup("").RequireAuthorization(StaffAuthenticationHandler.Policy).AddEndpointFilter(RequireCsrf);
        write.MapPost("/logout", Logout);
        write.MapPost("/conversations/{id}/claim", Claim);
        write.MapPost("/conversations/{id}/messages", Send);
        write.MapPost("/conversations/{id}/handback", HandBack);
        write.MapPost("/conversations/{id}/close", Close);
        write.MapPost("/conversations/{id}/reopen", Reopen);
        write.MapPost("/conversations/{id}/transfer", Transfer);
        write.MapPost("/conversations/{id}/notes", AddNote);
        write.MapPost("/conversations/{id}/typing", Typing);
        write.MapPost("/callbacks/{id}/done", CallbackDone);
        write.MapPost("/callbacks/{id}/undo", CallbackUndo);

        var admin = api.MapGroup("/admin").RequireAuthorization(StaffAuthenticationHandler.AdminPolicy);
        admin.MapGet("/throttles", Throttles);
        admin.MapGet("/audit", Audit);
        admin.MapPost("/throttles/clear", ClearThrottle).AddEndpointFilter(RequireCsrf);
        admin.MapPost("/conversations/{id}/erase", Erase).AddEndpointFilter(RequireCsrf);
        admin.MapPost("/saved-replies", AddSavedReply).AddEndpointFilter(RequireCsrf);
        admin.MapPost("/saved-replies/{replyId}", ChangeSavedReply).AddEndpointFilter(RequireCsrf);
        admin.MapPost("/saved-replies/{replyId}/delete", DeleteSavedReply).AddEndpointFilter(RequireCsrf);
        admin.MapStaffAccounts(RequireCsrf);
        return app;
    }

    /// <summary>
    /// POST /api/staff/login: one answer (401 "Sign-in failed") for an unknown e-mail, a disabled account,
    /// a wrong password and a throttled attempt. Refused over plain HTTP unless the caller is on this machine.
    /// </summary>
    public static async Task<Results<Ok<SignedInStaff>, ProblemHttpResult>> Login(
        HttpContext context, StaffSignIn signIn, IHostEnvironment environment, CancellationToken ct)
    {
        if (!SignInTransport.IsAllowed(context))
        {
            return Problem(StatusCodes.Status403Forbidden, "HTTPS required",
                "Staff sign-in is refused over plain HTTP from another machine: the password would cross the network readable. Open the console at its https:// address (README, Operations, HTTPS).");
        }

        var read = await JsonBody.ReadAsync(context.Request, 4096);
        if (read.Problem != JsonBodyProblem.None)
        {
            return Problem(read.Status, "Invalid request", read.Message);
        }

        var (request, bindError) = JsonBody.Bind<LoginRequest>(read.Body!, JsonSerializerOptions.Web);
        if (bindError is not null || string.IsNullOrWhiteSpace(request?.Email) || request.Email.Length > StaffSignIn.MaxEmailLength
            || string.IsNullOrEmpty(request.Password) || request.Password.Length > StaffSignIn.MaxPasswordLength)
        {
            return Problem(StatusCodes.Status400BadRequest, "Email and password required", "Send {\"email\": ..., \"password\": ...}.");
        }

        var result = await signIn.SignInAsync(request.Email, request.Password, context.Connection.RemoteIpAddress?.ToString(), ct);
        if (result is not { Status: SignInStatus.SignedIn, Account: { } account, Token: { } token, Session: { } session })
        {
            return Problem(StatusCodes.Status401Unauthorized, "Sign-in failed", SignInFailedDetail);
        }

        context.Response.Cookies.Append(StaffSignIn.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = !environment.IsDevelopment(),
            SameSite = SameSiteMode.Strict,
            Path = "/api/staff",
            IsEssential = true, // a browser-session cookie; the server ends the session after Staff:SessionHours
        });
        return TypedResults.Ok(new SignedInStaff(account.Id, account.Name, account.Role, session.CsrfToken));
    }

    /// <summary>The one answer to every failed sign-in.</summary>
    public const string SignInFailedDetail = "The email or password is not right, or there were too many attempts. Wait a minute and try again, or ask an admin.";

    public static async Task<NoContent> Logout(ClaimsPrincipal user, StaffSignIn signIn, IAuditLog audit, HttpContext context, CancellationToken ct)
    {
        await signIn.SignOutAsync(user.FindFirstValue(StaffAuthenticationHandler.SessionClaim)!, ct);
        await audit.AppendAsync(new AuditRecord(user.FindFirstValue(ClaimTypes.NameIdentifier)!, AuditActions.SignOut, "done", Address: context.Connection.RemoteIpAddress?.ToString()), ct);
        context.Response.Cookies.Delete(StaffSignIn.CookieName, new CookieOptions { Path = "/api/staff" });
        return TypedResults.NoContent();
    }

    /// <summary>GET /api/staff/admin/throttles (admins): who is being slowed down, and until when.</summary>
    public static async Task<Ok<IReadOnlyList<ThrottleView>>> Throttles(ISignInThrottle throttle, CancellationToken ct) =>
        TypedResults.Ok(await throttle.ListAsync(ct));

    /// <summary>POST /api/staff/admin/throttles/clear {"key"} (admins): lets that account or address try again now.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> ClearThrottle(ClearThrottleRequest? request, ClaimsPrincipal user, ISignInThrottle throttle, IAuditLog audit, HttpContext context, CancellationToken ct)
    {
        if (request?.Key is not { Length: > 0 and <= 400 } key)
        {
            return Problem(StatusCodes.Status400BadRequest, "Key required", "Send {\"key\": \"account:...\"} as listed by GET /api/staff/admin/throttles.");
        }

        if (!await throttle.ClearAsync(key, ct))
        {
            return NotFound("No such throttle.");
        }

        await audit.AppendAsync(new AuditRecord(user.FindFirstValue(ClaimTypes.NameIdentifier)!, AuditActions.ThrottleCleared, "done", key, context.Connection.RemoteIpAddress?.ToString()), ct);
        return TypedResults.NoContent();
    }

    /// <summary>POST /api/staff/admin/conversations/{id}/erase (admins): deletes the conversation everywhere; audited without content.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Erase(string id, ClaimsPrincipal user, ConversationService conversations, CancellationToken ct) =>
        await conversations.EraseAsync(id, user.FindFirstValue(ClaimTypes.NameIdentifier)!, ct) ? TypedResults.NoContent() : NotFound();

    /// <summary>GET /api/staff/admin/audit?limit=&amp;before= (admins): the audit log, newest first.</summary>
    public static async Task<Ok<IReadOnlyList<AuditEntry>>> Audit(int? limit, long? before, IAuditLog audit, CancellationToken ct) =>
        TypedResults.Ok(await audit.ListAsync(limit ?? 100, before, ct));

    public static Ok<SignedInStaff> Me(ClaimsPrincipal user) => TypedResults.Ok(new SignedInStaff(
        user.FindFirstValue(ClaimTypes.NameIdentifier)!,
        user.FindFirstValue(ClaimTypes.Name)!,
        user.FindFirstValue(ClaimTypes.Role)!,
        user.FindFirstValue(StaffAuthenticationHandler.CsrfClaim)!));

    public static async Task<Ok<IReadOnlyList<QueueItem>>> Queue(IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var items = new List<QueueItem>();
        foreach (var state in await store.ListByHandoffAsync(HandoffService.QueueStates, ct))
        {
            items.Add(StaffViews.Summary(state, await StaffViews.LoadTranscriptAsync(store, state.ConversationId, ct), now, reasons));
        }

        return TypedResults.Ok(StaffViews.Order(items));
    }

    public static async Task<Results<Ok<ConversationDetail>, ProblemHttpResult>> Conversation(
        string id, IConversationStore store, IStaffNoteStore notes, EscalationReasons reasons, IOptions<ClinicOptions> clinic, TimeProvider time, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } state)
        {
            return NotFound();
        }

        var transcript = await StaffViews.LoadTranscriptAsync(store, id, ct);
        var feedback = await store.GetFeedbackAsync(id, ct);
        var entries = transcript.Select(s => StaffViews.Entry(id, s.Activity)).OfType<TranscriptEntry>().ToList();
        var withNotes = entries.Concat((await notes.ListAsync(id, ct)).Select(StaffViews.Note)).OrderBy(e => e.Timestamp).ToList();
        return TypedResults.Ok(new ConversationDetail(
            StaffViews.Summary(state, transcript, time.GetUtcNow(), reasons),
            withNotes,
            [.. feedback.Select(StaffViews.View)],
            StaffViews.Brief(state, entries, feedback, TimeZoneInfo.FindSystemTimeZoneById(clinic.Value.TimeZone), reasons),
            state.HandoffLog));
    }

    public static async Task<Results<Ok<QueueItem>, ProblemHttpResult>> Claim(string id, ClaimsPrincipal user, HandoffService handoff, IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct) =>
        await Outcome(await handoff.ClaimAsync(id, Staff(user), ct), store, reasons, time, ct);

    public static async Task<Results<Ok<QueueItem>, ProblemHttpResult>> Send(string id, StaffMessageRequest? request, ClaimsPrincipal user, HandoffService handoff, IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct) =>
        await Outcome(await handoff.SendAsync(id, Staff(user), request?.Text, ct), store, reasons, time, ct);

    public static async Task<Results<Ok<QueueItem>, ProblemHttpResult>> HandBack(string id, ClaimsPrincipal user, HandoffService handoff, IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct) =>
        await Outcome(await handoff.HandBackAsync(id, Staff(user), ct), store, reasons, time, ct);

    /// <summary>POST /conversations/{id}/close {"outcome"}: resolved (the default), callback-arranged, referred or no-response.</summary>
    public static async Task<Results<Ok<QueueItem>, ProblemHttpResult>> Close(string id, CloseRequest? request, ClaimsPrincipal user, HandoffService handoff, IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct) =>
        await Outcome(await handoff.CloseAsync(id, Staff(user), user.IsInRole(StaffRoles.Admin), request?.Outcome ?? CloseOutcomes.Resolved, ct), store, reasons, time, ct);

    /// <summary>POST /conversations/{id}/reopen: a closed chat comes back, owned by whoever reopens it.</summary>
    public static async Task<Results<Ok<QueueItem>, ProblemHttpResult>> Reopen(string id, ClaimsPrincipal user, HandoffService handoff, IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct) =>
        await Outcome(await handoff.ReopenAsync(id, Staff(user), ct), store, reasons, time, ct);

    /// <summary>POST /conversations/{id}/transfer {"staffId"}: to a colleague who has the console open (409 otherwise).</summary>
    public static async Task<Results<Ok<QueueItem>, ProblemHttpResult>> Transfer(
        string id, TransferRequest? request, ClaimsPrincipal user, HandoffService handoff, IStaffDirectory directory, IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct)
    {
        if (request?.StaffId is not { Length: > 0 and <= 100 } staffId || await directory.FindByIdAsync(staffId, ct) is not { Disabled: false } colleague)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", "Send {\"staffId\"} of an active colleague (GET /api/staff/colleagues lists who is signed in).");
        }

        return await Outcome(await handoff.TransferAsync(id, Staff(user), user.IsInRole(StaffRoles.Admin), colleague.Ref, ct), store, reasons, time, ct);
    }

    /// <summary>POST /conversations/{id}/notes {"text"}: an internal note, kept apart from the chat (never sent to the patient).</summary>
    public static async Task<Results<Ok<TranscriptEntry>, ProblemHttpResult>> AddNote(
        string id, NoteRequest? request, ClaimsPrincipal user, IStaffNoteStore notes, IConversationStore store, ConversationService conversations, IAuditLog audit, CancellationToken ct)
    {
        var text = request?.Text?.Trim() ?? "";
        if (text.Length is 0 or > StaffTextLimits.Note)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", $"A note must have between 1 and {StaffTextLimits.Note} characters.");
        }

        if (await store.GetAsync(id, ct) is null)
        {
            return NotFound();
        }

        var staff = Staff(user);
        var note = await notes.AddAsync(id, staff, text, ct);
        await audit.AppendAsync(new AuditRecord(staff.Id, AuditActions.Note, "done", id), ct);
        conversations.Changed(id);
        return TypedResults.Ok(StaffViews.Note(note));
    }

    /// <summary>POST /conversations/{id}/typing: the owner is typing (Web Chat shows its indicator; nothing is stored).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Typing(string id, ClaimsPrincipal user, IConversationStore store, ConversationService conversations, CancellationToken ct)
    {
        var staff = Staff(user);
        if (await store.GetAsync(id, ct) is not { } state)
        {
            return NotFound();
        }

        if (!HandoffMachine.IsOwner(state, staff))
        {
            return Problem(StatusCodes.Status409Conflict, "Conflict", "Only the staff member who claimed this conversation is shown typing to the patient.");
        }

        conversations.Typing(id, HandoffService.StaffAccount(staff));
        return TypedResults.NoContent();
    }

    /// <summary>GET /colleagues: who has the console open now (a chat can be transferred to them).</summary>
    public static Ok<IReadOnlyList<ColleagueView>> Colleagues(ClaimsPrincipal user, StaffPresence presence)
    {
        var me = user.FindFirstValue(ClaimTypes.NameIdentifier);
        return TypedResults.Ok<IReadOnlyList<ColleagueView>>([.. presence.Online.Select(s => new ColleagueView(s.Id, s.Name, s.Id == me))]);
    }

    /// <summary>GET /members: every staff account's id and name (the history's staff filter; no e-mails).</summary>
    public static async Task<Ok<IReadOnlyList<ColleagueView>>> Members(ClaimsPrincipal user, IStaffDirectory directory, CancellationToken ct)
    {
        var me = user.FindFirstValue(ClaimTypes.NameIdentifier);
        return TypedResults.Ok<IReadOnlyList<ColleagueView>>([.. (await directory.ListAsync(ct)).OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Select(a => new ColleagueView(a.Id, a.Name, a.Id == me))]);
    }

    /// <summary>GET /history?q=&amp;from=&amp;to=&amp;reason=&amp;outcome=&amp;staff=: every conversation ever handed to staff, newest first.</summary>
    public static async Task<Results<Ok<IReadOnlyList<QueueItem>>, ProblemHttpResult>> History(
        string? q, DateTimeOffset? from, DateTimeOffset? to, string? reason, string? outcome, string? staff, int? limit,
        IConversationHistory history, IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct)
    {
        if (q is { Length: > 200 } || (outcome is not null && !CloseOutcomes.IsValid(outcome)))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", $"q has at most 200 characters; outcome is one of {string.Join(", ", CloseOutcomes.All)}.");
        }

        var now = time.GetUtcNow();
        var found = await history.SearchAsync(new HistoryQuery(q, from, to, Blank(reason), outcome, Blank(staff), limit ?? 100), ct);
        var items = new List<QueueItem>();
        foreach (var state in found)
        {
            items.Add(StaffViews.Summary(state, await StaffViews.LoadTranscriptAsync(store, state.ConversationId, ct), now, reasons));
        }

        return TypedResults.Ok<IReadOnlyList<QueueItem>>(items);
    }

    /// <summary>GET /reasons: every configured escalation reason (code, label, priority, urgent), for filters and labels.</summary>
    public static Ok<IReadOnlyList<EscalationReason>> Reasons(EscalationReasons reasons) =>
        TypedResults.Ok<IReadOnlyList<EscalationReason>>([.. reasons.All.OrderByDescending(r => r.Priority).ThenBy(r => r.Label, StringComparer.Ordinal)]);

    /// <summary>GET /saved-replies: the replies staff insert with Alt+1..9.</summary>
    public static async Task<Ok<IReadOnlyList<SavedReply>>> SavedReplies(ISavedReplyStore replies, CancellationToken ct) =>
        TypedResults.Ok(await replies.ListAsync(ct));

    /// <summary>POST /admin/saved-replies {"title","text"} (admins): adds a saved reply; POST /admin/saved-replies/{id} changes one.</summary>
    public static Task<Results<Ok<SavedReply>, ProblemHttpResult>> AddSavedReply(SavedReplyRequest? request, ClaimsPrincipal user, ISavedReplyStore replies, IAuditLog audit, CancellationToken ct) =>
        SaveReplyAsync(null, request, user, replies, audit, ct);

    public static Task<Results<Ok<SavedReply>, ProblemHttpResult>> ChangeSavedReply(string replyId, SavedReplyRequest? request, ClaimsPrincipal user, ISavedReplyStore replies, IAuditLog audit, CancellationToken ct) =>
        SaveReplyAsync(replyId, request, user, replies, audit, ct);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteSavedReply(string replyId, ClaimsPrincipal user, ISavedReplyStore replies, IAuditLog audit, CancellationToken ct)
    {
        if (!await replies.DeleteAsync(replyId, ct))
        {
            return NotFound("No such saved reply.");
        }

        await audit.AppendAsync(new AuditRecord(user.FindFirstValue(ClaimTypes.NameIdentifier)!, AuditActions.SavedReplyChanged, "deleted", replyId), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SavedReply>, ProblemHttpResult>> SaveReplyAsync(string? replyId, SavedReplyRequest? request, ClaimsPrincipal user, ISavedReplyStore replies, IAuditLog audit, CancellationToken ct)
    {
        var title = request?.Title?.Trim() ?? "";
        var text = request?.Text?.Trim() ?? "";
        if (title.Length is 0 or > StaffTextLimits.SavedReplyTitle || text.Length is 0 or > StaffTextLimits.SavedReplyText)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", $"A saved reply needs a title (1-{StaffTextLimits.SavedReplyTitle} characters) and a text (1-{StaffTextLimits.SavedReplyText}).");
        }

        var actor = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
        if (await replies.SaveAsync(replyId, title, text, actor, ct) is not { } saved)
        {
            return NotFound("No such saved reply.");
        }

        await audit.AppendAsync(new AuditRecord(actor, AuditActions.SavedReplyChanged, replyId is null ? "added" : "changed", saved.Id), ct);
        return TypedResults.Ok(saved);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static async Task<Ok<IReadOnlyList<CallbackView>>> Callbacks(ICallbackStore callbacks, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<CallbackView>>([.. (await callbacks.ListAsync(200, ct)).Select(StaffViews.View)]);

    /// <summary>POST /callbacks/{id}/done {"note"}: marks it done (the optional note is kept as an internal note).</summary>
    public static async Task<Results<Ok<CallbackView>, ProblemHttpResult>> CallbackDone(
        string id, CallbackDoneRequest? request, ClaimsPrincipal user, HandoffService handoff, ICallbackStore callbacks, CancellationToken ct)
    {
        if (request?.Note is { Length: > StaffTextLimits.Note })
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", $"A note has at most {StaffTextLimits.Note} characters.");
        }

        var result = await handoff.CompleteCallbackAsync(id, Staff(user), request?.Note, ct);
        return result.Outcome == HandoffOutcome.Done && await callbacks.GetAsync(id, ct) is { } done
            ? TypedResults.Ok(StaffViews.View(done))
            : NotFound(result.Problem);
    }

    /// <summary>POST /callbacks/{id}/undo: "Mark done" was a mistake; the request is open again.</summary>
    public static async Task<Results<Ok<CallbackView>, ProblemHttpResult>> CallbackUndo(string id, ClaimsPrincipal user, HandoffService handoff, ICallbackStore callbacks, CancellationToken ct)
    {
        var result = await handoff.UndoCallbackAsync(id, Staff(user), ct);
        return result.Outcome switch
        {
            HandoffOutcome.Done when await callbacks.GetAsync(id, ct) is { } open => TypedResults.Ok(StaffViews.View(open)),
            HandoffOutcome.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", result.Problem),
            _ => NotFound(result.Problem),
        };
    }

    /// <summary>Server-sent events: <c>queue</c> when the queue changes, <c>activity</c> for each new message or event of a staff conversation.</summary>
    public static ServerSentEventsResult<FeedEvent> Feed(
        ClaimsPrincipal user, ConversationFeed feed, IConversationStore store, StaffPresence presence, StaffSignIn signIn,
        IHostApplicationLifetime lifetime, TimeProvider time, HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(Stream(user, feed, store, presence, signIn, time, context.RequestAborted, lifetime.ApplicationStopping));
    }

    private static async IAsyncEnumerable<SseItem<FeedEvent>> Stream(
        ClaimsPrincipal user, ConversationFeed feed, IConversationStore store, StaffPresence presence, StaffSignIn signIn, TimeProvider time,
        CancellationToken aborted, CancellationToken stopping, [EnumeratorCancellation] CancellationToken enumeration = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping, enumeration);
        var ct = stop.Token;
        using var subscription = feed.SubscribeAll();
        using var online = presence.Enter(Staff(user));
        var cookieSession = user.FindFirstValue(StaffAuthenticationHandler.SessionClaim);
        yield return new SseItem<FeedEvent>(new FeedEvent(null, null), "hello") { ReconnectionInterval = TimeSpan.FromSeconds(3) };

        while (!ct.IsCancellationRequested)
        {
            bool ready;
            using (var beat = new CancellationTokenSource(Heartbeat, time))
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, beat.Token))
            {
                try
                {
                    ready = await subscription.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    ready = false;
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }

            if (!ready)
            {
                // Heartbeat: keeps proxies from closing the stream, and ends it once the session is gone.
                if (subscription.Reader.Completion.IsCompleted || cookieSession is null || !await signIn.IsSessionAliveAsync(cookieSession, ct))
                {
                    yield break;
                }

                yield return new SseItem<FeedEvent>(new FeedEvent(null, null), "ping");
                continue;
            }

            while (subscription.Reader.TryRead(out var item))
            {
                if (item.Transient is { Type: Schema.ActivityTypes.Typing, From.Role: Schema.RoleTypes.User })
                {
                    yield return new SseItem<FeedEvent>(new FeedEvent(item.ConversationId, null, "patient"), "typing");
                }
                else if (item.QueueChanged)
                {
                    yield return new SseItem<FeedEvent>(new FeedEvent(item.ConversationId, null), "queue");
                }
                else if (item.CatchUp)
                {
                    // The server may have missed news from other instances: the console reloads what it shows.
                    yield return new SseItem<FeedEvent>(new FeedEvent(null, null), "hello") { ReconnectionInterval = TimeSpan.FromSeconds(3) };
                }
                else
                {
                    foreach (var stored in item.Stored is { } local ? [local] : await StoredElsewhereAsync(store, item, ct))
                    {
                        if (StaffViews.Entry(item.ConversationId, stored.Activity) is { } entry
                            && (entry.Sender == "staff" || (await store.GetAsync(item.ConversationId, ct))?.Handoff is { } state && HandoffMachine.IsWithHumans(state)))
                        {
                            yield return new SseItem<FeedEvent>(new FeedEvent(item.ConversationId, entry), "activity");
                        }
                    }
                }
            }
        }
    }

    /// <summary>The activities another instance stored, read from the store by the sequences its announcement named.</summary>
    private static async Task<IReadOnlyList<StoredActivity>> StoredElsewhereAsync(IConversationStore store, FeedItem item, CancellationToken ct) =>
        item.StoredElsewhere is { } last && last > item.ElsewhereAfter
            ? [.. (await store.GetActivitiesAsync(item.ConversationId, item.ElsewhereAfter, (int)(last - item.ElsewhereAfter), ct)).Where(s => s.Sequence <= last)]
            : [];

    private static StaffRef Staff(ClaimsPrincipal user) =>
        new(user.FindFirstValue(ClaimTypes.NameIdentifier)!, user.FindFirstValue(ClaimTypes.Name)!);

    internal static async ValueTask<object?> RequireCsrf(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return StaffSignIn.CsrfMatches(http.User.FindFirstValue(StaffAuthenticationHandler.CsrfClaim), http.Request.Headers[CsrfHeader].ToString())
            ? await next(context)
            : Problem(StatusCodes.Status403Forbidden, "CSRF token missing or wrong", $"Send the csrfToken from sign-in in the {CsrfHeader} header.");
    }

    private static async Task<Results<Ok<QueueItem>, ProblemHttpResult>> Outcome(HandoffResult result, IConversationStore store, EscalationReasons reasons, TimeProvider time, CancellationToken ct) => result switch
    {
        { Outcome: HandoffOutcome.Done, State: { } state } =>
            TypedResults.Ok(StaffViews.Summary(state, await StaffViews.LoadTranscriptAsync(store, state.ConversationId, ct), time.GetUtcNow(), reasons)),
        { Outcome: HandoffOutcome.Conflict } => Problem(StatusCodes.Status409Conflict, "Conflict", result.Problem),
        { Outcome: HandoffOutcome.Invalid } => Problem(StatusCodes.Status400BadRequest, "Invalid request", result.Problem),
        _ => NotFound(result.Problem),
    };

    private static ProblemHttpResult NotFound(string? detail = null) =>
        Problem(StatusCodes.Status404NotFound, "Not found", detail ?? "No such conversation.");

    private static ProblemHttpResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
