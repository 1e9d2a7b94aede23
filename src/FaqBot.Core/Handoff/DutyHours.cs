using System.Globalization;

namespace FaqBot.Handoff;

/// <summary>
/// Weekly duty hours in the clinic's local time. Text form: <c>always</c>, <c>never</c>, or
/// entries separated by <c>;</c>, each <c>DAYS HH:mm-HH:mm[, HH:mm-HH:mm]</c> where DAYS is a day
/// (<c>Mon</c>), a range (<c>Mon-Fri</c>) or a list (<c>Sat,Sun</c>); <c>24:00</c> ends a day.
/// </summary>
public sealed class DutyHours
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    private readonly IReadOnlyList<(DayOfWeek Day, TimeSpan Start, TimeSpan End)> _spans;
    private readonly bool _always;

    private DutyHours(bool always, IReadOnlyList<(DayOfWeek, TimeSpan, TimeSpan)> spans)
    {
        _always = always;
        _spans = spans;
    }

    public static DutyHours Parse(string text) =>
        TryParse(text, out var hours, out var error) ? hours : throw new FormatException(error);

    public static bool TryParse(string? text, out DutyHours hours, out string error)
    {
        hours = new DutyHours(false, []);
        error = "";
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Equals("always", StringComparison.OrdinalIgnoreCase))
        {
            hours = new DutyHours(true, []);
            return true;
        }

        if (trimmed.Equals("never", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var spans = new List<(DayOfWeek, TimeSpan, TimeSpan)>();
        foreach (var entry in trimmed.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = entry.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0 || !TryParseDays(entry[..space], out var days))
            {
                error = $"Duty hours entry '{entry}' must start with days such as Mon, Mon-Fri or Sat,Sun.";
                return false;
            }

            foreach (var range in entry[(space + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = range.Split('-', StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || !TryParseTime(parts[0], out var start) || !TryParseTime(parts[1], out var end) || start >= end)
                {
                    error = $"Duty hours entry '{entry}': '{range}' must be HH:mm-HH:mm with the start before the end (use 24:00 for midnight).";
                    return false;
                }

                spans.AddRange(days.Select(d => (d, start, end)));
            }
        }

        if (spans.Count == 0)
        {
            error = "Duty hours must be 'always', 'never' or entries like 'Mon-Fri 09:00-17:00'.";
            return false;
        }

        hours = new DutyHours(false, spans);
        return true;
    }

    public bool IsOpen(DateTimeOffset now, TimeZoneInfo zone)
    {
        if (_always)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone);
        return _spans.Any(s => s.Day == local.DayOfWeek && s.Start <= local.TimeOfDay && local.TimeOfDay < s.End);
    }

    /// <summary>The next moment duty starts (now if open); null when there are no duty hours at all.</summary>
    public DateTimeOffset? NextOpening(DateTimeOffset now, TimeZoneInfo zone)
    {
        if (_always || IsOpen(now, zone))
        {
            return now;
        }

        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        for (var offset = 0; offset <= 7; offset++)
        {
            var date = today.AddDays(offset);
            foreach (var span in _spans.Where(s => s.Day == date.DayOfWeek).OrderBy(s => s.Start))
            {
                var local = DateTime.SpecifyKind(date + span.Start, DateTimeKind.Unspecified);
                while (zone.IsInvalidTime(local))
                {
                    local = local.AddMinutes(30); // a start inside a spring-forward gap begins when the clock resumes
                }

                var utc = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
                if (utc > now)
                {
                    return utc;
                }
            }
        }

        return null;
    }

    private static bool TryParseDays(string text, out List<DayOfWeek> days)
    {
        days = [];
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-');
            if (ends.Length is < 1 or > 2 || !TryParseDay(ends[0], out var first))
            {
                return false;
            }

            var last = first;
            if (ends.Length == 2 && !TryParseDay(ends[1], out last))
            {
                return false;
            }

            for (var d = (int)first; ; d = (d + 1) % 7)
            {
                days.Add((DayOfWeek)d);
                if (d == (int)last)
                {
                    break;
                }
            }
        }

        return days.Count > 0;
    }

    private static bool TryParseDay(string text, out DayOfWeek day)
    {
        // "Mon" or "Monday" (the full English name).
        var lower = text.ToLowerInvariant();
        var index = lower.Length >= 3 ? Array.IndexOf(DayNames, lower[..3]) : -1;
        day = (DayOfWeek)Math.Max(index, 0);
        return index >= 0 && (lower.Length == 3 || lower.Equals(day.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    private static bool TryParseTime(string text, out TimeSpan time)
    {
        if (text == "24:00")
        {
            time = TimeSpan.FromHours(24);
            return true;
        }

        return TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out time);
    }
}
