using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using FaqBot.Conversation;
using FaqBot.Schema;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FaqBot.Channels.DirectLine;

/// <summary>
/// Direct Line 3.0 REST under /v3/directline, as the official Web Chat and botframework-directlinejs
/// expect it (see shared/protocol/bot-framework.md §2). Every patient activity goes through
/// <see cref="ConversationService.ReceiveAsync"/>, which stores it before anything is acknowledged.
/// </summary>
public static partial class DirectLineEndpoints
{
    public const string ChannelId = "directline";

    public static RouteGroupBuilder MapDirectLineApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v3/directline")
            .RequireRateLimiting(DirectLineRateLimit.PolicyName)
            .RequireAuthorization(DirectLineAuthenticationHandler.Policy)
            .AddEndpointFilter(NoStore);
        group.MapPost("/tokens/generate", GenerateToken).WithMetadata(SecretOnlyMetadata.Instance);
        group.MapPost("/tokens/refresh", RefreshToken);
        group.MapPost("/conversations", StartConversation);

        var conversation = group.MapGroup("/conversations/{conversationId}").AddEndpointFilter(DirectLineConversation.RequireExisting);
        conversation.MapGet("", GetConversation);
        conversation.MapPost("/activities", PostActivity);
        conversation.MapGet("/activities", GetActivities);
        conversation.MapPost("/upload", Upload);
        conversation.MapGet("/stream", DirectLineStream.Connect).WithMetadata(StreamCredentialMetadata.Instance);
        return group;
    }

    /// <summary>Answers carry tokens and patients' words: never cached.</summary>
    internal static ValueTask<object?> NoStore(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        return next(context);
    }

    /// <summary>POST tokens/generate: with the secret, a token for a new (not yet started) conversation.</summary>
    public static async Task<Results<JsonHttpResult<ConversationResponse>, JsonHttpResult<ErrorResponse>>> GenerateToken(
        HttpRequest request, ClaimsPrincipal principal, DirectLineTokens tokens, IOptions<DirectLineOptions> options)
    {
        if (!DirectLineCaller.From(principal)!.IsSecret)
        {
            return DirectLineError.Create(StatusCodes.Status403Forbidden, DirectLineError.Forbidden, "tokens/generate needs the Direct Line secret, not a token.");
        }

        var (parameters, bodyError) = await ReadJsonAsync<TokenParameters>(request, options.Value.MaxBodyBytes, optional: true);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var (userId, userError) = UserIdFrom(parameters?.User);
        if (userError is not null)
        {
            return userError;
        }

        var conversationId = DirectLineTokens.NewConversationId();
        return Json(new ConversationResponse(conversationId, await tokens.IssueConversationTokenAsync(conversationId, userId!), tokens.TokenLifetimeSeconds));
    }

    /// <summary>POST tokens/refresh: a new token for the same conversation and user, while the current one is valid.</summary>
    public static async Task<Results<JsonHttpResult<ConversationResponse>, JsonHttpResult<ErrorResponse>>> RefreshToken(ClaimsPrincipal principal, DirectLineTokens tokens)
    {
        var caller = DirectLineCaller.From(principal)!;
        if (caller.IsSecret)
        {
            return DirectLineError.BadRequest("tokens/refresh renews a token; a secret does not expire.");
        }

        return Json(new ConversationResponse(caller.ConversationId!, await tokens.IssueConversationTokenAsync(caller.ConversationId!, caller.UserId!), tokens.TokenLifetimeSeconds));
    }

    /// <summary>
    /// POST conversations: starts the token's conversation (201; 200 when it already started) or, with
    /// the secret, a new one. Answers with a fresh token and an absolute ws(s):// stream URL.
    /// </summary>
    public static async Task<Results<JsonHttpResult<ConversationResponse>, JsonHttpResult<ErrorResponse>>> StartConversation(
        HttpRequest request, ClaimsPrincipal principal, DirectLineTokens tokens, ConversationService conversations, IOptions<DirectLineOptions> options)
    {
        var (parameters, bodyError) = await ReadJsonAsync<TokenParameters>(request, options.Value.MaxBodyBytes, optional: true);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var caller = DirectLineCaller.From(principal)!;
        string conversationId;
        string userId;
        if (caller.IsSecret)
        {
            var (id, userError) = UserIdFrom(parameters?.User);
            if (userError is not null)
            {
                return userError;
            }

            conversationId = DirectLineTokens.NewConversationId();
            userId = id!;
        }
        else
        {
            conversationId = caller.ConversationId!;
            userId = caller.UserId!;
        }

        var user = new ChannelAccount(userId, IncomingActivity.Bounded(parameters?.User?.Name, IncomingActivity.MaxNameLength), RoleTypes.User);
        var created = await conversations.StartAsync(conversationId, user, ChannelId, IncomingActivity.Bounded(parameters?.Locale, IncomingActivity.MaxLocaleLength), CancellationToken.None);
        var response = new ConversationResponse(
            conversationId,
            await tokens.IssueConversationTokenAsync(conversationId, userId),
            tokens.TokenLifetimeSeconds,
            await StreamUrlAsync(request, tokens, conversationId, userId, 0));
        return Json(response, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    /// <summary>GET conversations/{id}?watermark=: reconnect. A new token and a stream URL that replays from the watermark.</summary>
    public static async Task<Results<JsonHttpResult<ConversationResponse>, JsonHttpResult<ErrorResponse>>> GetConversation(
        string conversationId, string? watermark, HttpContext context, ClaimsPrincipal principal, DirectLineTokens tokens)
    {
        if (ParseWatermark(watermark) is not { } after)
        {
            return WatermarkError();
        }

        var caller = DirectLineCaller.From(principal)!;
        var userId = caller.IsSecret ? DirectLineConversation.UserIdOf(context) : caller.UserId!;
        return Json(new ConversationResponse(
            conversationId,
            await tokens.IssueConversationTokenAsync(conversationId, userId),
            tokens.TokenLifetimeSeconds,
            await StreamUrlAsync(context.Request, tokens, conversationId, userId, after)));
    }

    /// <summary>
    /// POST conversations/{id}/activities: validates, keeps only the fields FaqBot uses (see
    /// <see cref="IncomingActivity"/>), stamps and stores the patient's activity (echoed to the stream with
    /// the same id and clientActivityID), runs the bot's turn, answers <c>{"id"}</c>. Invalid input is refused
    /// before anything is stored, with a message saying why.
    /// </summary>
    public static async Task<Results<JsonHttpResult<ResourceResponse>, NoContent, JsonHttpResult<ErrorResponse>>> PostActivity(
        string conversationId, HttpContext context, ClaimsPrincipal principal, ConversationService conversations, IOptions<DirectLineOptions> options)
    {
        var (activity, bodyError) = await ReadJsonAsync<Activity>(context.Request, options.Value.MaxBodyBytes, optional: false);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (Validate(activity!, options.Value) is { } invalid)
        {
            return invalid;
        }

        var caller = DirectLineCaller.From(principal)!;
        if (activity!.Type == ActivityTypes.Typing)
        {
            // Not recorded: shown live in the staff console only (never echoed to the patient's stream).
            conversations.Typing(conversationId, new ChannelAccount(caller.UserId ?? "patient", null, RoleTypes.User));
            return TypedResults.NoContent();
        }

        var userId = caller.IsSecret ? (activity.From?.Id is { Length: > 0 and <= IncomingActivity.MaxNameLength } id ? id : DirectLineConversation.UserIdOf(context)) : caller.UserId!;
        var incoming = IncomingActivity.Keep(activity) with
        {
            ChannelId = ChannelId,
            From = new ChannelAccount(userId, IncomingActivity.Bounded(activity.From?.Name, IncomingActivity.MaxNameLength), RoleTypes.User),
            Recipient = ConversationService.Bot,
            Conversation = new ConversationAccount(conversationId),
        };

        // Not the request's token: once stored, the turn runs to its end even if the client goes away.
        var stored = await conversations.ReceiveAsync(conversationId, incoming, CancellationToken.None);
        return Json(new ResourceResponse(stored.Activity.Id!));
    }

    /// <summary>GET conversations/{id}/activities?watermark=: stored activities after the watermark (polling clients).</summary>
    public static async Task<Results<JsonHttpResult<ActivitySet>, JsonHttpResult<ErrorResponse>>> GetActivities(
        string conversationId, string? watermark, ConversationService conversations)
    {
        if (ParseWatermark(watermark) is not { } after)
        {
            return WatermarkError();
        }

        var page = await conversations.Store.GetActivitiesAsync(conversationId, after);
        var last = page.Count > 0 ? page[^1].Sequence : after;
        return Json(new ActivitySet([.. page.Select(s => s.Activity)], last.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>POST conversations/{id}/upload: files are not accepted; the page hides the upload button.</summary>
    public static JsonHttpResult<ErrorResponse> Upload(string conversationId) =>
        DirectLineError.BadRequest("File uploads are not supported in this chat. Please type your question instead.", DirectLineError.NotSupported);

    /// <summary>Empty, <c>-</c> (directlinejs before its first activity) and absent mean "from the start": over-replay is harmless.</summary>
    internal static long? ParseWatermark(string? watermark) =>
        string.IsNullOrEmpty(watermark) || watermark == "-" ? 0
        : watermark.Length <= 19 && long.TryParse(watermark, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : null;

    internal static JsonHttpResult<ErrorResponse> WatermarkError() =>
        DirectLineError.BadRequest("The watermark must be the value of a previous ActivitySet (a non-negative number) or empty.");

    private static JsonHttpResult<ErrorResponse>? Validate(Activity activity, DirectLineOptions options)
    {
        if (activity.Type is not (ActivityTypes.Message or ActivityTypes.Event or ActivityTypes.Typing))
        {
            return DirectLineError.BadRequest($"Activities of type '{Truncate(activity.Type ?? "")}' are not accepted; send 'message' or 'event'.");
        }

        if (activity.Text is { } text && text.Length > options.MaxTextLength)
        {
            return DirectLineError.BadRequest(
                string.Create(CultureInfo.InvariantCulture, $"The message is {text.Length:N0} characters long; the limit is {options.MaxTextLength:N0}. It was not sent: please shorten it or split it into several messages."),
                DirectLineError.MessageTooLong);
        }

        if (activity.Attachments is { Count: > 0 })
        {
            return DirectLineError.BadRequest("Attachments are not supported in this chat. Please type your question instead.", DirectLineError.NotSupported);
        }

        if (activity.Type == ActivityTypes.Message && string.IsNullOrWhiteSpace(activity.Text) && activity.Value is null)
        {
            return DirectLineError.BadRequest("A message needs text.");
        }

        if (activity.Type == ActivityTypes.Event && string.IsNullOrEmpty(activity.Name))
        {
            return DirectLineError.BadRequest("An event needs a name.");
        }

        return IncomingActivity.Check(activity) is { } problem ? DirectLineError.BadRequest(problem) : null;
    }

    /// <summary>Reads a JSON body with <see cref="JsonBody"/>: 413 when larger, 415 when not JSON, 400 when malformed or of the wrong shape.</summary>
    internal static async Task<(T? Value, JsonHttpResult<ErrorResponse>? Error)> ReadJsonAsync<T>(HttpRequest request, int maxBytes, bool optional)
        where T : class
    {
        var read = await JsonBody.ReadAsync(request, maxBytes);
        switch (read.Problem)
        {
            case JsonBodyProblem.None:
                var (value, error) = JsonBody.Bind<T>(read.Body!, ActivityJson.Options);
                return error is null ? (value, null) : (null, DirectLineError.BadRequest(error, DirectLineError.BadSyntax));
            case JsonBodyProblem.Empty when optional:
                return (null, null);
            case JsonBodyProblem.TooLarge:
                return (null, DirectLineError.Create(read.Status, DirectLineError.PayloadTooLarge, read.Message));
            case JsonBodyProblem.WrongContentType:
                return (null, DirectLineError.Create(read.Status, DirectLineError.BadArgument, read.Message));
            default:
                return (null, DirectLineError.BadRequest(read.Message, DirectLineError.BadSyntax));
        }
    }

    /// <summary>A user id for a token: the one asked for (prefixed <c>dl_</c>), or a random one.</summary>
    private static (string? Id, JsonHttpResult<ErrorResponse>? Error) UserIdFrom(ChannelAccount? user)
    {
        if (user?.Id is not { Length: > 0 } id)
        {
            return (DirectLineTokens.NewUserId(), null);
        }

        if (!UserIdPattern().IsMatch(id))
        {
            return (null, DirectLineError.BadRequest("user.id may hold 1 to 64 letters, digits and - _ . : @ only."));
        }

        return (id.StartsWith("dl_", StringComparison.Ordinal) ? id : "dl_" + id, null);
    }

    internal static async Task<string> StreamUrlAsync(HttpRequest request, DirectLineTokens tokens, string conversationId, string userId, long watermark)
    {
        var scheme = request.IsHttps ? "wss" : "ws";
        var token = await tokens.IssueStreamTokenAsync(conversationId, userId);
        return string.Create(CultureInfo.InvariantCulture,
            $"{scheme}://{request.Host}{request.PathBase}/v3/directline/conversations/{Uri.EscapeDataString(conversationId)}/stream?watermark={watermark}&t={Uri.EscapeDataString(token)}");
    }

    private static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) => TypedResults.Json(value, ActivityJson.Options, statusCode: status);

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[A-Za-z0-9_.:@-]{1,64}$")]
    private static partial Regex UserIdPattern();
}
