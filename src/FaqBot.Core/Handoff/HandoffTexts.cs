using System.Globalization;

namespace FaqBot.Handoff;

/// <summary>What the patient is told as the handoff moves on. Kept together so wording is easy to review.</summary>
public static class HandoffTexts
{
    public const string SafetyFooter = "If you are in danger, call 911. For a mental-health crisis, call or text 988.";

    /// <summary>
    /// A staff message for a channel that shows no sender names (Bot Framework channels). Stored messages keep the
    /// staff member's words only, with the name in <c>from.name</c>: the chat page and the console show it once.
    /// </summary>
    public static string FromStaff(string staffName, string text) => $"{staffName} (care team): {text}";

    public static string Joined(string staffName) => $"{staffName} from the care team has joined the chat.";

    public const string HandedBack = "You're back with the assistant. Ask me anything about your treatment, or ask for a person at any time.";

    public const string Closed = "The care team has closed this chat. Thank you for reaching out; if you need anything else, just write here. " + SafetyFooter;

    public static string Unavailable(DateTimeOffset? next, TimeZoneInfo zone, DateTimeOffset now) => next is { } at && at > now
        ? $"Our care team isn't available to chat right now. They are next available {When(at, zone, now)} (clinic time)."
        : "No one from our care team is free to chat right now.";

    public const string LongWait = "I'm sorry for the wait; our care team is still busy.";

    public const string OfferCallback = "If you like, we can contact you instead. What name should we ask for? (Or say \"no thanks\" to keep waiting here.)";

    public const string Decline = "No thanks";

    public static string When(DateTimeOffset at, TimeZoneInfo zone, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        var day = (local.Date - today).Days switch
        {
            0 => "today",
            1 => "tomorrow",
            _ => local.ToString("dddd", CultureInfo.InvariantCulture),
        };
        return $"{day} at {local.ToString("h:mm tt", CultureInfo.InvariantCulture)}";
    }
}
