using FaqBot.Conversation;
using FaqBot.Safety;
using FaqBot.Search;
using Microsoft.Extensions.Options;

namespace FaqBot.Insights;

/// <summary>
/// The figures of a period and its missed questions grouped by meaning. Grouping uses the symmetric sentence model
/// the safety screen already loads (all-MiniLM-L6-v2, trained on paraphrase pairs): on the lead's dev set it kept
/// 89% pairwise precision at 52% recall where arctic-embed-xs (a question-to-passage retrieval model) reached 83% at
/// 15% (README, Insights).
/// </summary>
public sealed class InsightsService(IInsightsStore store, ITextEncoder encoder, KnowledgeBase knowledge, IOptions<InsightsOptions> options, IOptions<ClinicOptions> clinic, TimeProvider time)
{
    private CenterOfIndex? _center;

    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(clinic.Value.TimeZone);

    public TimeZoneInfo Zone => _zone;

    /// <summary>The last <see cref="InsightsOptions.DefaultDays"/> days up to today (clinic time).</summary>
    public InsightsPeriod DefaultPeriod()
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone).DateTime);
        return new InsightsPeriod(today.AddDays(1 - options.Value.DefaultDays), today);
    }

    public Task<InsightsReport> ReportAsync(InsightsPeriod period, CancellationToken ct = default) => store.ReportAsync(period, _zone, ct);

    public async Task<IReadOnlyList<MissedGroup>> MissedGroupsAsync(InsightsPeriod period, CancellationToken ct = default)
    {
        var settings = options.Value;
        var missed = await store.MissedAsync(period, _zone, TimeSpan.FromMinutes(settings.ClarificationAbandonedAfterMinutes), settings.MaxMissedQuestions, ct);
        return Group(missed, encoder, Center(), settings.GroupSimilarity);
    }

    /// <summary>The mean embedding of the knowledge base's alternate questions (recomputed when the index changes).</summary>
    private float[]? Center()
    {
        var index = knowledge.Current;
        if (Volatile.Read(ref _center) is { } known && ReferenceEquals(known.Index, index))
        {
            return known.Center;
        }

        var center = CenterOf([.. index.Knowledge.Questions.Select(q => q.Question)], encoder);
        if (center is not null)
        {
            Volatile.Write(ref _center, new CenterOfIndex(index, center));
        }

        return center;
    }

    /// <summary>The mean of the texts' embeddings; null without texts.</summary>
    public static float[]? CenterOf(IReadOnlyList<string> texts, ITextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return null;
        }

        var vectors = Embed(texts, encoder);
        var center = new float[vectors[0].Length];
        foreach (var vector in vectors)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(center, vector, center);
        }

        System.Numerics.Tensors.TensorPrimitives.Divide(center, vectors.Count, center);
        return center;
    }

    /// <summary>Embeds the questions and groups them.</summary>
    public static IReadOnlyList<MissedGroup> Group(IReadOnlyList<MissedQuestion> missed, ITextEncoder encoder, float[]? center, double threshold)
    {
        ArgumentNullException.ThrowIfNull(missed);
        return missed.Count == 0 ? [] : MeaningGroups.Group(missed, Embed([.. missed.Select(m => m.Text)], encoder), center, threshold);
    }

    /// <summary>
    /// A few texts per call: the safety screen shares the model, and a crisis message waits for at most one small
    /// batch of insights, never for the whole list.
    /// </summary>
    public static IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts, ITextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(encoder);
        var vectors = new List<float[]>(texts.Count);
        foreach (var chunk in texts.Chunk(8))
        {
            vectors.AddRange(encoder.Encode([.. chunk.Select(t => t.Length > MaxCharacters ? t[..MaxCharacters] : t)]));
        }

        return vectors;
    }

    /// <summary>Only the start of a very long message is embedded (the model reads 256 tokens at most).</summary>
    public const int MaxCharacters = 1000;

    /// <summary>One reference, so concurrent requests never see an index paired with another index's centre.</summary>
    private sealed record CenterOfIndex(PassageIndex Index, float[] Center);
}
