using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FaqBot.Bench;

/// <summary>
/// Generates a knowledge base of N articles recombined from the real ones: each generated article takes 4-8
/// whole sections (heading and text, verbatim, with their story/guidance kind) from random real articles, under
/// a new title and source. The real articles, <c>synonyms.txt</c> and <c>questions.yaml</c> are copied too, so
/// the question sets still have their answers. Deterministic for a seed.
/// Sections are copied verbatim, so the passages of a generated knowledge base repeat the real ones' texts:
/// the embedding model sees about 700 distinct passages however many articles there are (see README).
/// </summary>
public static partial class KnowledgeGenerator
{
    public sealed record Section(string Heading, string Body, bool Story);

    /// <summary>Writes <paramref name="articles"/> articles (the real ones included) to <paramref name="output"/>; returns the folder.</summary>
    public static string Generate(string realFolder, string output, int articles, int seed = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(articles, 1);
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        Directory.CreateDirectory(output);
        var real = Directory.GetFiles(realFolder, "*.md").Order(StringComparer.Ordinal).ToArray();
        foreach (var file in Directory.GetFiles(realFolder))
        {
            if (!file.EndsWith(".md", StringComparison.Ordinal) || Array.IndexOf(real, file) < Math.Min(articles, real.Length))
            {
                File.Copy(file, Path.Combine(output, Path.GetFileName(file)));
            }
        }

        var sections = real.SelectMany(f => Sections(File.ReadAllText(f))).ToArray();
        var random = new Random(seed);
        var folder = Path.Combine(output, "generated");
        Directory.CreateDirectory(folder);
        for (var n = real.Length; n < articles; n++)
        {
            var picked = Enumerable.Range(0, random.Next(4, 9)).Select(_ => sections[random.Next(sections.Length)]).DistinctBy(s => s.Heading).ToList();
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"""
                ---
                title: "Clinic notes {n:00000}: {picked[0].Heading.Replace("\"", "", StringComparison.Ordinal)}"
                source: "generated/kb-{n:00000}.md (recombined from the real articles for benchmarks)"
                reviewed: 2026-11-21

                """);
            if (picked.Any(s => s.Story))
            {
                text.Append("sections:\n");
                foreach (var story in picked.Where(s => s.Story))
                {
                    text.Append(CultureInfo.InvariantCulture, $"  \"{story.Heading.Replace("\"", "\\\"", StringComparison.Ordinal)}\": story\n");
                }
            }

            text.Append("---\n\n");
            foreach (var section in picked)
            {
                text.Append(CultureInfo.InvariantCulture, $"## {section.Heading}\n\n{section.Body.Trim()}\n\n");
            }

            // 1,000 files per folder: a file system copes better, and so does a person looking.
            var sub = Path.Combine(folder, (n / 1000).ToString("00", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(sub);
            File.WriteAllText(Path.Combine(sub, $"kb-{n:00000}.md"), text.ToString());
        }

        return output;
    }

    /// <summary>The <c>##</c> sections of one real article, with their kind from the front matter.</summary>
    public static IEnumerable<Section> Sections(string article)
    {
        ArgumentNullException.ThrowIfNull(article);
        var parts = article.Split("\n---", 2);
        var front = parts[0];
        var body = parts.Length > 1 ? parts[1] : article;
        var wholeStory = WholeStory().IsMatch(front);
        var storySections = StorySection().Matches(front).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var chunk in Heading().Split(body).Skip(1))
        {
            var newline = chunk.IndexOf('\n', StringComparison.Ordinal);
            if (newline < 0)
            {
                continue;
            }

            var heading = chunk[..newline].Trim();
            var text = chunk[(newline + 1)..];
            if (text.Trim().Length > 0)
            {
                yield return new Section(heading, text, wholeStory || storySections.Contains(heading));
            }
        }
    }

    [GeneratedRegex(@"^kind:\s*story", RegexOptions.Multiline)]
    private static partial Regex WholeStory();

    [GeneratedRegex(@"^\s+""(.+)"":\s*story", RegexOptions.Multiline)]
    private static partial Regex StorySection();

    [GeneratedRegex(@"^## ", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
