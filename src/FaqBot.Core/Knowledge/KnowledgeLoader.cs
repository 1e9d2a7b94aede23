namespace FaqBot.Knowledge;

/// <summary>A readable reason why one file (or one line of it) was skipped.</summary>
public sealed record KnowledgeProblem(string Source, string Reason);

/// <summary>Everything loaded from the knowledge folder at one moment.</summary>
/// <param name="SynonymsText">The raw synonyms file (Solr format); Search analyses it.</param>
public sealed record KnowledgeSet(
    IReadOnlyList<Article> Articles,
    string? SynonymsText,
    IReadOnlyList<AlternateQuestion> Questions,
    IReadOnlyList<KnowledgeProblem> Problems);

/// <summary>The knowledge folder is missing or holds no usable article: FaqBot cannot answer anything.</summary>
public sealed class KnowledgeUnavailableException(string message) : Exception(message);

public static class KnowledgeLoader
{
    public const string QuestionsFileName = "questions.yaml";

    private static readonly string[] ArticleExtensions = [".md", ".markdown", ".txt"];

    /// <summary>
    /// Loads every article under <paramref name="folder"/>, the synonyms file and the alternate questions.
    /// A broken file is reported in <see cref="KnowledgeSet.Problems"/> and skipped; an empty or missing folder throws.
    /// </summary>
    public static KnowledgeSet Load(string folder, string synonymsFileName, string repositoryRoot, DateOnly today)
    {
        if (!Directory.Exists(folder))
        {
            throw new KnowledgeUnavailableException($"The knowledge folder '{folder}' does not exist. Create it and add the clinic's articles (see README: adding an article).");
        }

        var synonymsPath = Path.Combine(folder, synonymsFileName);
        var problems = new List<KnowledgeProblem>();
        var synonyms = ReadOptional(repositoryRoot, synonymsPath, problems);

        var articles = new List<Article>();
        var files = ArticleFiles(folder, synonymsPath);
        foreach (var file in files)
        {
            var source = Relative(repositoryRoot, file);
            try
            {
                var text = File.ReadAllText(file);
                var modified = DateOnly.FromDateTime(File.GetLastWriteTimeUtc(file));
                var article = ArticleParser.Parse(source, text, modified);
                if (article.Expires is { } expires && expires < today)
                {
                    problems.Add(new KnowledgeProblem(source, $"expired on {expires:yyyy-MM-dd}; review it and move 'expires' forward"));
                    continue;
                }

                articles.Add(article);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
            {
                problems.Add(new KnowledgeProblem(source, ex.Message));
            }
        }

        if (articles.Count == 0)
        {
            var detail = problems.Count == 0 ? "it holds no .md or .txt article" : string.Join("; ", problems.Select(p => $"{p.Source}: {p.Reason}"));
            throw new KnowledgeUnavailableException($"The knowledge folder '{folder}' has no usable article: {detail}.");
        }

        var questionsPath = Path.Combine(folder, QuestionsFileName);
        var questionsYaml = ReadOptional(repositoryRoot, questionsPath, problems);
        var questions = questionsYaml is null
            ? []
            : AlternateQuestions.Parse(Relative(repositoryRoot, questionsPath), questionsYaml, articles, problems);
        return new KnowledgeSet(articles, synonyms, questions, problems);
    }

    /// <summary>The article files of <paramref name="folder"/> in ordinal order of their path (the synonyms file and hidden files are not articles).</summary>
    public static IEnumerable<string> ArticleFiles(string folder, string synonymsPath) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => ArticleExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Where(f => !string.Equals(Path.GetFullPath(f), Path.GetFullPath(synonymsPath), StringComparison.Ordinal))
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);

    internal static string? ReadOptional(string root, string path, List<KnowledgeProblem> problems)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(new KnowledgeProblem(Relative(root, path), ex.Message));
            return null;
        }
    }

    internal static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace('\\', '/');
}
