using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaqBot.Conversation;
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
        app.MapPost("/api/messages", Receive);
        return app;
    }

    public static async Task<Results<Ok, ProblemHttpResult>> Receive(
        HttpContext context,
        BotConnectorAuthenticator authenticator,
        BotConnectorConversations references,
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

        Activity activity;
        try
        {
            activity = body.Deserialize<Activity>(ActivityJson.Options) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            return Problem(StatusCodes.Status400BadRequest, "The body is not a valid Bot Framework activity.");
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

        var user = new ChannelAccount(sender.Id, sender.Name, RoleTypes.User);
        await conversations.StartAsync(localId, user, channelId, activity.Locale, CancellationToken.None);
        if (activity.Type is not (ActivityTypes.Message or ActivityTypes.Event))
        {
            return TypedResults.Ok(); // conversationUpdate, typing, installationUpdate...: nothing to record
        }

        var incoming = activity with
        {
            Id = null,
            Timestamp = null,
            From = user,
            Recipient = ConversationService.Bot,
            Conversation = new ConversationAccount(localId),
        };
        Task MapIds(StoredActivity stored) =>
            activity.Id is { Length: > 0 } channelActivityId ? references.MapActivityAsync(stored.Activity.Id!, channelActivityId) : Task.CompletedTask;

        // Long texts are kept and screened like any other; the turn handler asks for a shorter message.
        await conversations.ReceiveAsync(localId, incoming, MapIds, CancellationToken.None);
        return TypedResults.Ok();
    }

    private static async Task<(JsonObject? Body, ProblemHttpResult? Error)> ReadAsync(HttpRequest request, int maxBytes)
    {
        if (await RequestBody.ReadAsync(request, maxBytes) is not { } body)
        {
            return (null, TooLarge(maxBytes));
        }

        try
        {
            return JsonNode.Parse(body.Span) is JsonObject activity
                ? (activity, null)
                : (null, Problem(StatusCodes.Status400BadRequest, "The body must be a JSON object (an activity)."));
        }
        catch (JsonException)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "The body is not valid JSON."));
        }
    }

    private static ProblemHttpResult TooLarge(int maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture, $"The activity is larger than {maxBytes / 1024:N0} KB."));

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
