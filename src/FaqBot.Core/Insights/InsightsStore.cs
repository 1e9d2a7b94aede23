using System.Globalization;
using FaqBot.Answering;
using FaqBot.Handoff;

namespace FaqBot.Insights;

/// <summary>Reads the figures and the missed questions of a period from what the conversations recorded.</summary>
public interface IInsightsStore
{
    Task<InsightsReport> ReportAsync(InsightsPeriod period, TimeZoneInfo zone, CancellationToken ct = default);

    /// <summary>The newest <paramref name="limit"/> missed questions of the period, newest first.</summary>
    Task<IReadOnlyList<MissedQuestion>> MissedAsync(InsightsPeriod period, TimeZoneInfo zone, TimeSpan abandonedAfter, int limit, CancellationToken ct = default);
}
