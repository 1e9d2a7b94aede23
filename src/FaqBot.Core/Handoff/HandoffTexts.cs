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

    public static string Transferred(string fromName, string toName) => $"{fromName} has passed your chat to {toName} from the care team, who can see everything you've written.";

    public static string Reopened(string staffName) => $"{staffName} from the care team has reopened this chat.";

    public const string HandedBack = "You're back with the assistant. Ask me anything about your treatment, or ask for a person at any time.";

    public const string Closed = "The care team has closed this chat. Thank you for reaching out; if you need anything else, just write here. " + SafetyFooter;

    public static string Unavailable(DateTimeOffset? next, TimeZoneInfo zone, DateTimeOffset now) => next is { } at && at > now
        ? $"Our care team isn't available to chat right now. They are next on duty {When(at, zone, now)} ({ZoneName(zone)})."
        : "No one from our care team is free to chat right now.";

    public const string LongWait = "I'm sorry for the wait; our care team is still busy.";

    public const string OfferCallback = "We can contact you instead: what name should we ask for? (Or say \"no thanks\" to leave your question here for them.)";

    public const string Decline = "No thanks";

    /// <summary>The one "what happens next" line when a person can take the chat now.</summary>
    public static string Connecting(TimeSpan? typicalWait) => typicalWait is { } wait
        ? $"Connecting you with our care team; typical wait {Minutes(wait)}. You can keep writing here in the meantime."
        : "Connecting you with our care team; a person will join this chat shortly. You can keep writing here in the meantime.";

    /// <summary>When a filed callback can be expected, from the duty hours.</summary>
    public static string CallbackTimeFrame(StaffAvailability availability, TimeZoneInfo zone, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(availability);
        if (availability.OnDuty)
        {
            return "Expect to hear from them today, as soon as someone is free.";
        }

        return availability.NextAvailable is { } next && next > now
            ? $"Expect to hear from them after they are back on duty, {When(next, zone, now)} ({ZoneName(zone)})."
            : "They will contact you as soon as they can.";
    }

    /// <summary>The patient asked for a person during the callback dialogue: why the callback is the way to one now.</summary>
    public const string PersonNotAvailableNow =
        "I understand you'd like to talk with a person. No one from our care team can join this chat right now, so the quickest way to reach them is for them to contact you.";

    /// <summary>"New York time" for America/New_York: the clinic's zone in words a patient reads.</summary>
    public static string ZoneName(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var id = zone.Id;
        var city = id[(id.LastIndexOf('/') + 1)..].Replace('_', ' ');
        return id.Contains('/', StringComparison.Ordinal) ? $"{city} time" : $"{id} time";
    }

    private static string Minutes(TimeSpan wait)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
        return minutes == 1 ? "about a minute" : $"about {minutes} minutes";
    }

    /// <summary>A time in the clinic's zone with its name, e.g. "4:13 PM New York time".</summary>
    public static string ClinicTime(DateTimeOffset at, TimeZoneInfo zone) =>
        $"{TimeZoneInfo.ConvertTime(at, zone).ToString("h:mm tt", CultureInfo.InvariantCulture)} {ZoneName(zone)}";

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
