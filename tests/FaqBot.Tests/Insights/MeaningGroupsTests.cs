using System.Text.Json;
using FaqBot.Insights;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Safety;
using Xunit.Abstractions;

namespace FaqBot.Tests.Insights;

/// <summary>
/// Grouping missed questions by meaning, measured on paraphrase sets: pairwise precision (two questions put in one
/// group really ask the same thing) and recall (two that ask the same thing are in one group). The shipped threshold
/// was chosen on the dev set; the blind set was written first by someone who saw neither (Data/README.md).
/// </summary>
public sealed class MeaningGroupsTests(ITestOutputHelper output)
{
    private static readonly double Threshold = new InsightsOptions().GroupSimilarity;

    /// <summary>As the service computes it: the mean of the real knowledge base's alternate questions.</summary>
    private static readonly Lazy<float[]?> Center = new(() =>
    {
        using var knowledge = TestPaths.Knowledge();
        return InsightsService.CenterOf([.. knowledge.Current.Knowledge.Questions.Select(q => q.Question)], SafetyTestData.Encoder);
    });

    private sealed record Line(string Group, string Text);

    private static List<Line> Read(string name) => [.. File.ReadLines(TestPaths.Data(name))
        .Where(l => l.Trim().Length > 0)
        .Select(l => JsonSerializer.Deserialize<Line>(l, JsonSerializerOptions.Web)!)];

    internal static (double Precision, double Recall, int Groups) Score(IReadOnlyList<string> truth, IReadOnlyList<int> predicted)
    {
        int together = 0, togetherRight = 0, same = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            for (var j = i + 1; j < truth.Count; j++)
            {
                var isSame = truth[i] == truth[j];
                var isTogether = predicted[i] == predicted[j];
                same += isSame ? 1 : 0;
                together += isTogether ? 1 : 0;
                togetherRight += isSame && isTogether ? 1 : 0;
            }
        }

        return (together == 0 ? 1 : (double)togetherRight / together, same == 0 ? 1 : (double)togetherRight / same, predicted.Distinct().Count());
    }

    /// <summary>The production path: the model in small batches, then average-linkage clustering.</summary>
    private static (double Precision, double Recall, int Groups) Run(IReadOnlyList<Line> lines, double threshold)
    {
        var vectors = InsightsService.Embed([.. lines.Select(l => l.Text)], SafetyTestData.Encoder);
        var clusters = MeaningGroups.Clusters(MeaningGroups.Similarities(vectors, Center.Value), lines.Count, threshold);
        var groupOf = new int[lines.Count];
        for (var c = 0; c < clusters.Count; c++)
        {
            foreach (var member in clusters[c])
            {
                groupOf[member] = c;
            }
        }

        return Score([.. lines.Select(l => l.Group)], groupOf);
    }

    [Theory]
    // First run 21.7% / 20.6% (uncentred, 0.45); 88.5% / 16.9% after the one round of fixes; 83.3% / 18.4% once the
    // alternate-question bank (the centre) grew from 252 to 1,030 questions (dev set unchanged at 94.1% / 48.5%).
    [InlineData("blind-missed-paraphrases.jsonl", 0.80, 0.15)]
    [InlineData("missed-paraphrases-dev.jsonl", 0.90, 0.45)]
    public void Paraphrases_of_one_question_are_grouped_and_different_questions_kept_apart(string set, double minPrecision, double minRecall)
    {
        var lines = Read(set);
        var (precision, recall, groups) = Run(lines, Threshold);
        output.WriteLine($"{set} at {Threshold:F2}: pairwise precision {precision:P1}, recall {recall:P1}, {groups} groups for {lines.Select(l => l.Group).Distinct().Count()} questions");
        Assert.True(precision >= minPrecision, $"precision {precision:P1} below {minPrecision:P0}");
        Assert.True(recall >= minRecall, $"recall {recall:P1} below {minRecall:P0}");
    }

    [Fact]
    public void A_group_is_named_by_its_most_typical_wording_and_counts_its_members()
    {
        var now = DateTimeOffset.UnixEpoch;
        var missed = new[]
        {
            new MissedQuestion("do you take insurance", MissKinds.Fallback, now, "c1"),
            new MissedQuestion("Do you accept insurance?", MissKinds.ThumbsDown, now.AddMinutes(1), "c2"),
            new MissedQuestion("do u take my insurance", MissKinds.Fallback, now.AddMinutes(2), "c3"),
            new MissedQuestion("can I bring my dog", MissKinds.Fallback, now.AddMinutes(3), "c4"),
        };

        var groups = InsightsService.Group(missed, SafetyTestData.Encoder, Center.Value, Threshold);

        var insurance = Assert.Single(groups, g => g.Count == 3);
        Assert.Contains("insurance", insurance.Question, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, insurance.Kinds[MissKinds.Fallback]);
        Assert.Equal(1, insurance.Kinds[MissKinds.ThumbsDown]);
        Assert.Equal(now.AddMinutes(2), insurance.LastAt);
        Assert.Equal("c3", insurance.Members[0].ConversationId); // newest first
        Assert.Equal("can I bring my dog", Assert.Single(groups, g => g.Count == 1).Question);
        Assert.Same(insurance, groups[0]); // largest first
    }
}
