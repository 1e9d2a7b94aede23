namespace FaqBot.Knowledge;

/// <summary>
/// A question a staff member taught the bot from the console: it becomes an alternate question of one answer unit,
/// named by its article, section and verbatim text (so it survives re-indexing while that text stays).
/// </summary>
public sealed record TaughtQuestion(long Id, string Question, string Source, string Section, string Passage, string TaughtBy, DateTimeOffset TaughtAt)
{
    /// <summary>
    /// The alternate questions the taught ones make with today's articles. One whose passage is no longer in its
    /// article (the article was edited) is reported and skipped until it is taught again.
    /// </summary>
    public static IReadOnlyList<AlternateQuestion> Resolve(IReadOnlyList<TaughtQuestion> taught, IReadOnlyList<Article> articles, List<KnowledgeProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(taught);
        ArgumentNullException.ThrowIfNull(articles);
        ArgumentNullException.ThrowIfNull(problems);
        var result = new List<AlternateQuestion>(taught.Count);
        foreach (var question in taught)
        {
            var unit = articles.Where(a => a.Source == question.Source)
                .SelectMany(a => a.Passages)
                .FirstOrDefault(p => p.Section == question.Section && p.Text == question.Passage);
            if (unit is null)
            {
                problems.Add(new KnowledgeProblem(question.Source, $"taught question {question.Id}: its passage is no longer in section \"{question.Section}\""));
                continue;
            }

            result.Add(new AlternateQuestion(question.Question, unit, 0, Taught: true));
        }

        return result;
    }
}
