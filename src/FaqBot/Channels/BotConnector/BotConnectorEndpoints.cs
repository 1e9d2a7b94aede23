using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaqBot.Conversation;
using FaqBot.Hosting;
using FaqBot.Schema;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FaqBot.Channels.BotConnector;

/// <summary>
/// <c>POST /api/messages</c>: the bot's messaging endpoint for Azure Bot Service channels (and the
/// Emulator). Activities run through <see cref="ConversationService"/> like Direct Line ones; replies
/// leave through <see cref="BotConnectorRelay"/>. Errors are ProblemDetails.
/// </summary>
public static class BotConnectorEndpoints
{

    public static IEndpointRouteBuilder MapBotConnector(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/messages", Receive).RequireRateLimiting(RateLimitSetup.BotConnector);
        return app;
    }

    public static async Task<Results<Ok, ProblemHttpResult>> Receive(
        HttpContext context,
        BotConnectorAuthenticator authenticator,
        IBotConnectorConversations references,
        ConversationService conversations,
        IOptions<BotConnectorOptions> options)
    {
        var caller = await authenticator.CheckAsync(context);
        if (!caller.Allowed)
        {
            return Problem(caller.Status, caller.Reason!);
        }

        var (read, bodyError) = await ReadAsync(context.Request, options.Value.MaxBodyBytes);
        if (read is not { } body)
        {
            return bodyError!;
        }

        var (bound, bindError) = JsonBody.Bind<Activity>(body, ActivityJson.Options);
        if (bound is not { } activity)
        {
            return Problem(StatusCodes.Status400BadRequest, $"The body is not a valid Bot Framework activity: {bindError}");
        }

        if (body["conversation"] is not JsonObject conversation || activity.Conversation?.Id is not { Length: > 0 } channelConversationId
            || body["from"] is not JsonObject from || activity.From is not { Id.Length: > 0 } sender
            || activity.ChannelId is not { Length: > 0 } channelId
            || activity.ServiceUrl is not { } serviceUrl || !BotConnectorOptionsValidator.IsHttpUrl(serviceUrl))
        {
            return Problem(StatusCodes.Status400BadRequest, "An activity needs type, channelId, serviceUrl (absolute http(s)), conversation.id and from.id.");
        }

        if (options.Value.Authenticates)
        {
            if (!string.Equals(caller.ServiceUrlClaim, serviceUrl, StringComparison.OrdinalIgnoreCase))
            {
                return Problem(StatusCodes.Status403Forbidden, "The token's serviceurl claim does not match the activity's serviceUrl.");
            }

            if (caller.Endorsements is { } endorsements && !endorsements.Contains(channelId, StringComparer.Ordinal))
            {
                return Problem(StatusCodes.Status403Forbidden, "The signing key is not endorsed for this channel.");
            }
        }

        var localId = BotConnectorConversations.LocalId(channelId, channelConversationId);
        var bot = body["recipient"] as JsonObject ?? new JsonObject { ["id"] = ConversationService.Bot.Id, ["name"] = ConversationService.Bot.Name };
        await references.SaveAsync(localId, new ConversationReference(serviceUrl, channelId, conversation, bot, from, activity.Locale));

        var user = new ChannelAccount(sender.Id, IncomingActivity.Bounded(sender.Name, IncomingActivity.MaxNameLength), RoleTypes.User);
        await conversations.StartAsync(localId, user, channelId, activity.Locale, CancellationToken.None);
        if (activity.Type is not (ActivityTypes.Message or ActivityTypes.Event))
        {
            return TypedResults.Ok(); // conversationUpdate, typing, installationUpdate...: nothing to record
        }

        // Long texts are kept (within MaxBodyBytes) and screened like any other; the turn handler asks for a shorter message.
        if (IncomingActivity.Check(activity) is { } tooLong)
        {
            return Problem(StatusCodes.Status400BadRequest, tooLong);
        }

        var incoming = IncomingActivity.Keep(activity) with
        {
            ChannelId = channelId,
            From = user,
            Recipient = ConversationService.Bot,
            Conversation = new ConversationAccount(localId),
        };
        Task MapIds(StoredActivity stored) =>
            activity.Id is { Length: > 0 } channelActivityId ? references.MapActivityAsync(stored.Activity.Id!, channelActivityId) : Task.CompletedTask;

        await conversations.ReceiveAsync(localId, incoming, MapIds, CancellationToken.None);
        return TypedResults.Ok();
    }

    private static async Task<(JsonObject? Body, ProblemHttpResult? Error)> ReadAsync(HttpRequest request, int maxBytes)
    {
        var read = await JsonBody.ReadAsync(request, maxBytes);
        return read.Problem == JsonBodyProblem.None ? (read.Body, null) : (null, Problem(read.Status, read.Message));
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
