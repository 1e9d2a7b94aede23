namespace FaqBot.Insights;

/// <summary>
/// Groups missed questions that mean the same thing: average-linkage agglomerative clustering over the cosine
/// similarity of their sentence embeddings (centred on the clinic's typical question), merging while two groups are on average at least the threshold alike.
/// Groups come largest first; each is named by its most typical wording (the member closest to all the others).
/// </summary>
public static class MeaningGroups
{
    public const int MaxExamples = 5;

    /// <param name="vectors">One embedding per question, in the same order.</param>
    /// <param name="center">See <see cref="Similarities"/>.</param>
    public static IReadOnlyList<MissedGroup> Group(IReadOnlyList<MissedQuestion> questions, IReadOnlyList<float[]> vectors, float[]? center, double threshold)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(vectors);
        if (questions.Count != vectors.Count)
        {
            throw new ArgumentException("One vector per question is needed.", nameof(vectors));
        }

        var n = questions.Count;
        var similarity = Similarities(vectors, center);
        return [.. Clusters(similarity, n, threshold).Select(members => Describe(members, questions, similarity))
            .OrderByDescending(g => g.Count).ThenByDescending(g => g.LastAt)];
    }

    /// <summary>
    /// Cosine similarity of every pair, measured from <paramref name="center"/> (the mean embedding of typical
    /// questions to this clinic): nearly every patient writes "ketamine", "infusion" or "treatment", and without
    /// taking that shared direction away, unrelated questions look alike because they share the clinic's topic.
    /// </summary>
    public static double[,] Similarities(IReadOnlyList<float[]> vectors, float[]? center = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (center is not null)
        {
            vectors = [.. vectors.Select(v => v.Zip(center, (x, c) => x - c).ToArray())];
        }

        var n = vectors.Count;
        var similarity = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            similarity[i, i] = 1;
            for (var j = i + 1; j < n; j++)
            {
                similarity[i, j] = similarity[j, i] = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(vectors[i], vectors[j]);
            }
        }

        return similarity;
    }

    /// <summary>The clusters as lists of question indexes (Lance-Williams update for average linkage).</summary>
    public static IReadOnlyList<List<int>> Clusters(double[,] similarity, int n, double threshold)
    {
        ArgumentNullException.ThrowIfNull(similarity);
        var linkage = (double[,])similarity.Clone();
        var members = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToArray();
        var active = Enumerable.Repeat(true, n).ToArray();
        while (true)
        {
            var (best, a, b) = (double.NegativeInfinity, -1, -1);
            for (var i = 0; i < n; i++)
            {
                if (!active[i])
                {
                    continue;
                }

                for (var j = i + 1; j < n; j++)
                {
                    if (active[j] && linkage[i, j] > best)
                    {
                        (best, a, b) = (linkage[i, j], i, j);
                    }
                }
            }

            if (a < 0 || best < threshold)
            {
                break;
            }

            double sizeA = members[a].Count, sizeB = members[b].Count;
            for (var k = 0; k < n; k++)
            {
                if (active[k] && k != a && k != b)
                {
                    linkage[a, k] = linkage[k, a] = ((sizeA * linkage[a, k]) + (sizeB * linkage[b, k])) / (sizeA + sizeB);
                }
            }

            members[a].AddRange(members[b]);
            active[b] = false;
        }

        return [.. Enumerable.Range(0, n).Where(i => active[i]).Select(i => members[i])];
    }

    private static MissedGroup Describe(List<int> members, IReadOnlyList<MissedQuestion> questions, double[,] similarity)
    {
        var typical = members.OrderByDescending(i => members.Where(j => j != i).Sum(j => similarity[i, j])).ThenBy(i => questions[i].Text.Length).First();
        var items = members.Select(i => questions[i]).ToList();
        return new MissedGroup(
            questions[typical].Text,
            items.Count,
            items.GroupBy(m => m.Kind).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            items.Min(m => m.At),
            items.Max(m => m.At),
            [.. items.OrderByDescending(m => m.At)]);
    }
}
