using FaqBot.Conversation;
using FaqBot.Schema;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FaqBot.Channels.DirectLine;

/// <summary>What the chat page needs besides Direct Line: the clinic's look and a token, same origin, no secret in the page.</summary>
public static class WebChatEndpoints
{
    public static IEndpointRouteBuilder MapWebChatApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/site", GetSite);
        app.MapPost("/api/directline/token", CreateToken).RequireRateLimiting(DirectLineRateLimit.PolicyName).AddEndpointFilter(DirectLineEndpoints.NoStore);
        return app;
    }

    /// <summary>The page's settings, from the Clinic and DirectLine sections.</summary>
    /// <param name="TimeZone">The clinic's IANA time zone: pages show times in it, for patients and staff alike.</param>
    public sealed record SiteSettings(string ClinicName, string AssistantName, string Phone, string PrimaryColor, string AccentColor, int MaxMessageLength, string TimeZone);

    public static Ok<SiteSettings> GetSite(IOptions<ClinicOptions> clinic, IOptions<DirectLineOptions> directLine)
    {
        var c = clinic.Value;
        return TypedResults.Ok(new SiteSettings(c.Name, c.AssistantName, c.Phone, c.PrimaryColor, c.AccentColor, directLine.Value.MaxTextLength, c.TimeZone));
    }

    /// <summary>
    /// POST /api/directline/token: a token for a new conversation and a new <c>dl_</c> user, like
    /// <c>tokens/generate</c> but for the page itself. Cross-origin callers are refused.
    /// </summary>
    public static async Task<Results<JsonHttpResult<ConversationResponse>, ProblemHttpResult>> CreateToken(HttpRequest request, DirectLineTokens tokens)
    {
        if (!IsSameOrigin(request))
        {
            return TypedResults.Problem("Tokens are only given to the clinic's own chat page.", statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused");
        }

        var conversationId = DirectLineTokens.NewConversationId();
        var token = await tokens.IssueConversationTokenAsync(conversationId, DirectLineTokens.NewUserId());
        return TypedResults.Json(new ConversationResponse(conversationId, token, tokens.TokenLifetimeSeconds), ActivityJson.Options);
    }

    /// <summary>Browsers send Origin on POST; when present it must be this server. Server-side callers send none.</summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.IsDefaultPort ? uri.Host : uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
