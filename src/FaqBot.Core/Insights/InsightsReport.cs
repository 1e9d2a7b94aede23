using System.ComponentModel.DataAnnotations;

namespace FaqBot.Insights;

/// <summary>Whole days, <see cref="From"/> to <see cref="To"/> inclusive, as the clinic's clock reads them.</summary>
public sealed record InsightsPeriod(DateOnly From, DateOnly To)
{
    public const int MaxDays = 366;

    /// <summary>The period's start (inclusive) and end (exclusive) as instants.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Bounds(TimeZoneInfo zone) => (StartOf(From, zone), StartOf(To.AddDays(1), zone));

    public IEnumerable<DateOnly> Days()
    {
        for (var day = From; day <= To; day = day.AddDays(1))
        {
            yield return day;
        }
    }

    private static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        // A midnight skipped by a clock change starts the day an hour later.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}

public sealed record DayCount(DateOnly Day, int Count);

/// <summary>What came of patients' messages (see <c>Outcomes</c>); small talk is not counted.</summary>
public sealed record OutcomeCounts(int Answered, int Clarified, int FellBack, int HandedOff, int Crisis);

/// <summary>Thumbs up and down given to answers.</summary>
public sealed record FeedbackCounts(int Up, int Down);

/// <summary>How long escalated patients waited until a staff member claimed the chat (claims made in the period).</summary>
public sealed record ClaimTimes(int Claims, double? MedianSeconds, double? P90Seconds)
{
    /// <summary>Nearest-rank percentile; null without values.</summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}

/// <param name="Conversations">Conversations whose first patient message falls in the period.</param>
/// <param name="MessagesByHour">Patient messages per hour of the day (0-23, clinic time).</param>
public sealed record InsightsReport(
    DateOnly From,
    DateOnly To,
    string TimeZone,
    int Conversations,
    IReadOnlyList<DayCount> ConversationsPerDay,
    OutcomeCounts Outcomes,
    FeedbackCounts Feedback,
    ClaimTimes TimeToClaim,
    IReadOnlyList<int> MessagesByHour);

public static class MissKinds
{
    /// <summary>The bot said the articles do not cover it.</summary>
    public const string Fallback = "fallback";

    /// <summary>The patient gave the answer a thumbs-down.</summary>
    public const string ThumbsDown = "thumbs-down";

    /// <summary>The bot asked "did you mean..." and the patient never wrote again.</summary>
    public const string AbandonedClarification = "abandoned-clarification";
}

/// <summary>A question the bot could not answer, as the patient wrote it.</summary>
public sealed record MissedQuestion(string Text, string Kind, DateTimeOffset At, string ConversationId);

/// <summary>Missed questions that mean the same thing: the most typical wording, how many, and every member, newest first.</summary>
public sealed record MissedGroup(string Question, int Count, IReadOnlyDictionary<string, int> Kinds, DateTimeOffset FirstAt, DateTimeOffset LastAt, IReadOnlyList<MissedQuestion> Members);

public sealed class InsightsOptions
{
    public const string Section = "Insights";

    /// <summary>Two missed questions (or groups, on average) at least this similar in meaning are one group.</summary>
    [Range(0.0, 1.0)]
    public double GroupSimilarity { get; set; } = 0.50;

    /// <summary>The newest missed questions of a period that are grouped (older ones are counted in the figures, not listed).</summary>
    [Range(10, 5000)]
    public int MaxMissedQuestions { get; set; } = 500;

    /// <summary>A clarification counts as abandoned when the patient has written nothing for this long after it.</summary>
    [Range(1, 1440)]
    public int ClarificationAbandonedAfterMinutes { get; set; } = 10;

    /// <summary>The period shown when none is chosen: the last this many days.</summary>
    [Range(1, InsightsPeriod.MaxDays)]
    public int DefaultDays { get; set; } = 30;
}
