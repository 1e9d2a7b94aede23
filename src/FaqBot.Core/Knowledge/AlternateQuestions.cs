using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FaqBot.Knowledge;

/// <summary>A patient-style question curated (or taught by staff) for one answer unit.</summary>
/// <param name="Line">Its line in <c>questions.yaml</c> (0 for a taught one).</param>
/// <param name="Taught">Taught by staff from the console, not curated in <c>questions.yaml</c>.</param>
public sealed record AlternateQuestion(string Question, Passage Passage, int Line, bool Taught = false);

/// <summary>
/// Reads <c>knowledge/questions.yaml</c>: a list of entries with <c>article</c> (file name under the knowledge
/// folder), <c>section</c> (heading), <c>anchor</c> (a short verbatim piece of the answering sentence) and
/// <c>questions</c>. Each entry is tied to the smallest answer unit of that section containing the anchor.
/// An entry that does not resolve is reported with its line and skipped; the others keep working.
/// </summary>
public static class AlternateQuestions
{
    public static IReadOnlyList<AlternateQuestion> Parse(string fileName, string yaml, IReadOnlyList<Article> articles, List<KnowledgeProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var result = new List<AlternateQuestion>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml ?? ""));
        }
        catch (YamlException ex)
        {
            problems.Add(new KnowledgeProblem(fileName, $"line {ex.Start.Line}: not valid YAML: {ex.Message}"));
            return result;
        }

        if (stream.Documents.Count == 0)
        {
            return result;
        }

        if (stream.Documents[0].RootNode is not YamlSequenceNode entries)
        {
            problems.Add(new KnowledgeProblem(fileName, "line 1: expected a list of entries (- article: ..., section: ..., anchor: ..., questions: [...])"));
            return result;
        }

        var byFileName = articles.ToLookup(a => Path.GetFileName(a.Source), StringComparer.OrdinalIgnoreCase);
        foreach (var node in entries.Children)
        {
            var line = (int)node.Start.Line;
            if (node is not YamlMappingNode entry)
            {
                problems.Add(new KnowledgeProblem(fileName, $"line {line}: an entry must be a mapping with article, section, anchor and questions"));
                continue;
            }

            string? Get(string key) => entry.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value?.Trim() : null;
            var articleName = Get("article");
            var section = Get("section");
            var anchor = Get("anchor");
            var questions = entry.Children.TryGetValue(new YamlScalarNode("questions"), out var q) && q is YamlSequenceNode list
                ? list.Children.OfType<YamlScalarNode>().Select(s => s.Value?.Trim()).Where(s => !string.IsNullOrEmpty(s)).Cast<string>().ToList()
                : [];
            if (string.IsNullOrEmpty(articleName) || string.IsNullOrEmpty(section) || string.IsNullOrEmpty(anchor) || questions.Count == 0)
            {
                problems.Add(new KnowledgeProblem(fileName, $"line {line}: an entry needs article, section, anchor and at least one question"));
                continue;
            }

            var article = byFileName[articleName].FirstOrDefault() ?? articles.FirstOrDefault(a => a.Source.Equals(articleName, StringComparison.OrdinalIgnoreCase));
            if (article is null)
            {
                problems.Add(new KnowledgeProblem(fileName, $"line {line}: no article '{articleName}' in the knowledge folder"));
                continue;
            }

            var inSection = article.Passages.Where(p => p.Section == section).ToList();
            if (inSection.Count == 0)
            {
                problems.Add(new KnowledgeProblem(fileName, $"line {line}: '{articleName}' has no section \"{section}\""));
                continue;
            }

            var unit = inSection.Where(p => p.Text.Contains(anchor, StringComparison.Ordinal)).OrderBy(p => p.UnitCount).ThenBy(p => p.Text.Length).FirstOrDefault();
            if (unit is null)
            {
                problems.Add(new KnowledgeProblem(fileName, $"line {line}: the anchor \"{anchor}\" is not in section \"{section}\" of '{articleName}'"));
                continue;
            }

            result.AddRange(questions.Select(question => new AlternateQuestion(question, unit, line)));
        }

        return result;
    }
}
