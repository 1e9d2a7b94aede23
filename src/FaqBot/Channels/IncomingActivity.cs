using System.Globalization;
using System.Text.Json.Nodes;
using FaqBot.Schema;

namespace FaqBot.Channels;

/// <summary>
/// What FaqBot keeps of an activity a patient's client sends (Direct Line and /api/messages): the
/// fields it uses, each bounded. Unknown properties, channel data other than Web Chat's
/// <c>clientActivityID</c>/<c>clientTimestamp</c>/<c>attachmentSizes</c>, and entities other than the
/// ones Web Chat sends (<c>ClientCapabilities</c> on messages, the <c>LikeAction</c>/<c>DislikeAction</c>
/// of a feedback event) are dropped before anything is stored, so a patient cannot plant, say, a
/// citation that the staff console would show.
/// </summary>
public static class IncomingActivity
{
    public const int MaxNameLength = 64;
    public const int MaxLocaleLength = 35;
    public const int MaxEventNameLength = 100;
    public const int MaxValueLength = 4096;
    private const int MaxShortField = 100;

    /// <summary>Null when the activity's bounded fields fit, else what is too long.</summary>
    public static string? Check(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        if (activity.Name is { Length: > MaxEventNameLength })
        {
            return string.Create(CultureInfo.InvariantCulture, $"The event name is longer than {MaxEventNameLength} characters.");
        }

        if (activity.Value is { } value && value.ToJsonString().Length > MaxValueLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The activity's value is larger than {MaxValueLength:N0} characters.");
        }

        return null;
    }

    /// <summary>A new activity holding only what FaqBot uses; the channel sets from, recipient and conversation.</summary>
    public static Activity Keep(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return new Activity
        {
            Type = activity.Type,
            Text = activity.Text,
            TextFormat = activity.TextFormat is "plain" or "markdown" ? activity.TextFormat : null,
            Locale = Bounded(activity.Locale, MaxLocaleLength),
            LocalTimestamp = Bounded(activity.LocalTimestamp, 40),
            LocalTimezone = Bounded(activity.LocalTimezone, 64),
            Name = activity.Name,
            Value = activity.Value?.DeepClone(),
            Entities = Entities(activity),
            ChannelData = ChannelData(activity.ChannelData),
        };
    }

    /// <summary>The value when it is at most <paramref name="max"/> characters, else null.</summary>
    public static string? Bounded(string? value, int max) => value is { } v && v.Length <= max ? v : null;

    private static List<JsonObject>? Entities(Activity activity)
    {
        var kept = new List<JsonObject>();
        foreach (var entity in activity.Entities ?? [])
        {
            if (activity.Type == ActivityTypes.Message && String(entity, "type") == "ClientCapabilities")
            {
                var capabilities = new JsonObject { ["type"] = "ClientCapabilities" };
                foreach (var flag in (string[])["requiresBotState", "supportsListening", "supportsTts"])
                {
                    if (entity[flag] is JsonValue v && v.TryGetValue<bool>(out var on))
                    {
                        capabilities[flag] = on;
                    }
                }

                kept.Add(capabilities);
            }
            else if (activity.Type == ActivityTypes.Event && String(entity, "@type") is "LikeAction" or "DislikeAction" && String(entity, "@id") is { } id)
            {
                var action = new JsonObject { ["@type"] = String(entity, "@type"), ["@id"] = id };
                if (String(entity, "type") is { } type)
                {
                    action["type"] = type;
                }

                kept.Add(action);
            }
        }

        return kept.Count == 0 ? null : kept;
    }

    private static JsonObject? ChannelData(JsonObject? channelData)
    {
        if (channelData is null)
        {
            return null;
        }

        var kept = new JsonObject();
        foreach (var name in (string[])["clientActivityID", "clientTimestamp"])
        {
            if (String(channelData, name) is { } value)
            {
                kept[name] = value;
            }
        }

        if (channelData["attachmentSizes"] is JsonArray { Count: 0 })
        {
            kept["attachmentSizes"] = new JsonArray();
        }

        return kept.Count == 0 ? null : kept;
    }

    private static string? String(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length <= MaxShortField ? text : null;
}
