using System.Security.Claims;
using System.Text.Encodings.Web;
using FaqBot.Conversation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FaqBot.Channels.DirectLine;

/// <summary>Marks <c>tokens/generate</c>: disabled (403) while no <c>DirectLine:Secret</c> is configured.</summary>
public sealed class SecretOnlyMetadata
{
    public static readonly SecretOnlyMetadata Instance = new();
}

/// <summary>Marks the WebSocket stream: its credential is the short-lived stream token in <c>?t=</c>, not a bearer header.</summary>
public sealed class StreamCredentialMetadata
{
    public static readonly StreamCredentialMetadata Instance = new();
}

/// <summary>
/// Authenticates Direct Line calls: the bot-wide secret, or a conversation token (a stream token on the
/// stream). A valid credential puts the caller's conversation and user on the request's identity
/// (<see cref="DirectLineCaller.From"/>); the <see cref="Policy"/> on the route group then requires it and,
/// for routes under <c>conversations/{conversationId}</c>, that the token belongs to that conversation.
/// Failures answer in Direct Line's error dialect: 401, 403 <c>TokenExpired</c>, 403 <c>Forbidden</c>.
/// </summary>
public sealed class DirectLineAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    DirectLineTokens tokens,
    IOptions<DirectLineOptions> directLine) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "DirectLine";
    public const string Policy = "DirectLine";
    public const string SecretClaim = "directline:secret";
    private const string ErrorItem = "directline:auth-error";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var endpoint = Context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<SecretOnlyMetadata>() is not null && directLine.Value.Secret.Length == 0)
        {
            Context.Items[ErrorItem] = DirectLineError.Create(StatusCodes.Status403Forbidden, DirectLineError.Forbidden,
                "tokens/generate is disabled because no DirectLine:Secret is configured. The chat page gets its token from POST /api/directline/token.");
            return AuthenticateResult.Fail("tokens/generate is disabled.");
        }

        var stream = endpoint?.Metadata.GetMetadata<StreamCredentialMetadata>() is not null;
        var credential = stream ? Request.Query["t"].ToString() : DirectLineTokens.BearerOf(Request);
        var auth = await tokens.AuthenticateAsync(credential, conversationId: null, stream);
        if (auth.Error is { } error)
        {
            Context.Items[ErrorItem] = error;
            return AuthenticateResult.Fail(error.Value?.Error.Message ?? "Not authenticated.");
        }

        var caller = auth.Caller!;
        var claims = caller.IsSecret
            ? new List<Claim> { new(SecretClaim, "true") }
            : [new(DirectLineTokens.ConversationClaim, caller.ConversationId!), new(DirectLineTokens.UserClaim, caller.UserId!)];
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        (Context.Items[ErrorItem] as JsonHttpResult<ErrorResponse>
            ?? DirectLineError.Create(StatusCodes.Status401Unauthorized, DirectLineError.Unauthorized, "A valid Direct Line token is required (Authorization: Bearer ...).")).ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        DirectLineError.Create(StatusCodes.Status403Forbidden, DirectLineError.Forbidden, "This token belongs to another conversation.").ExecuteAsync(Context);

    /// <summary>The secret may use any conversation; a token only its own (the route's <c>conversationId</c>, when there is one).</summary>
    internal static bool OwnsRouteConversation(AuthorizationHandlerContext context)
    {
        var caller = DirectLineCaller.From(context.User);
        if (caller is null)
        {
            return false;
        }

        if (caller.IsSecret || context.Resource is not HttpContext http || http.Request.RouteValues["conversationId"] is not string routed)
        {
            return true;
        }

        return string.Equals(caller.ConversationId, routed, StringComparison.Ordinal);
    }
}

/// <summary>The conversation checked by <see cref="DirectLineConversation.RequireExisting"/> for the handler.</summary>
public static class DirectLineConversation
{
    private const string Item = "directline:conversation-user";

    /// <summary>
    /// Endpoint filter on <c>conversations/{conversationId}</c>: 404 (in Direct Line's dialect) when the
    /// conversation does not exist; otherwise its user id is available to the handler through <see cref="UserIdOf"/>.
    /// Only that column is read, not the conversation's state (read once more by the turn itself).
    /// </summary>
    public static async ValueTask<object?> RequireExisting(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var store = http.RequestServices.GetRequiredService<IConversationStore>();
        if (http.Request.RouteValues["conversationId"] is not string id || await store.GetUserIdAsync(id, http.RequestAborted) is not { } userId)
        {
            return DirectLineError.ConversationNotFound();
        }

        http.Items[Item] = userId;
        return await next(context);
    }

    public static string UserIdOf(HttpContext context) =>
        context.Items[Item] as string ?? throw new InvalidOperationException("The conversation filter did not run for this endpoint.");
}
