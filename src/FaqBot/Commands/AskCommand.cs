using System.Text;
using System.Text.Json;
using FaqBot.Answering;
using FaqBot.Ask;
using FaqBot.Knowledge;
using FaqBot.Search;
using FaqBot.Schema;

namespace FaqBot.Commands;

/// <summary><c>ask "QUESTION"</c> prints a readable answer; <c>ask --json</c> answers stdin line by line as JSON.</summary>
public sealed class AskCommand(string? question, bool json, bool explain = false) : ICommand
{
    /// <summary>Readable JSON lines (apostrophes and accents as they are); standard output is not HTML.</summary>
    private static readonly JsonSerializerOptions LineJson = new(ActivityJson.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ICommand Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args switch
        {
            ["--json"] => new AskCommand(null, true),
            ["--explain", var q] => new AskCommand(q, false, explain: true),
            [var q] when !q.StartsWith("--", StringComparison.Ordinal) => new AskCommand(q, false),
            _ => new CommandLine.UsageCommand("ask takes one quoted question, or --json to read questions from standard input"),
        };
    }

    public async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var asker = services.GetRequiredService<Asker>();
        if (explain)
        {
            var index = services.GetRequiredService<KnowledgeBase>().Current;
            await Console.Out.WriteLineAsync(Explain(index, index.Search(question!)));
        }

        if (!json)
        {
            await Console.Out.WriteLineAsync(Readable(await asker.AskAsync(question!, ct)));
            return 0;
        }

        var output = Console.Out;
        while (await Console.In.ReadLineAsync(ct) is { } line)
        {
            var answer = await asker.AskAsync(line, ct);
            await output.WriteLineAsync(JsonSerializer.Serialize(answer, LineJson));
            await output.FlushAsync(ct);
        }

        return 0;
    }

    /// <summary>Why the index ranked what it did: repairs, unknown words, and per candidate the fused score, its
    /// dense part (question to passage, and to the best alternate question), and the BM25 part with Lucene's explanation.</summary>
    private static string Explain(PassageIndex index, SearchResult result)
    {
        var text = new StringBuilder();
        text.AppendLine($"searched: {result.Searched}");
        if (result.Corrections.Count > 0)
        {
            text.AppendLine($"corrected: {string.Join(", ", result.Corrections.Select(c => $"{c.From} -> {c.To}"))}");
        }

        if (result.UnknownWords.Count > 0)
        {
            text.AppendLine($"words the articles never use: {string.Join(", ", result.UnknownWords)}; similarity without them {result.WithoutUnknownSimilarity:0.000}{(result.OutOfScope ? " -> out of scope" : "")}");
        }

        foreach (var candidate in result.Ranked.Take(5))
        {
            var p = candidate.Passage;
            text.AppendLine($"  fused {candidate.Score:0.000} = dense {candidate.Dense:0.000} (alternate question {candidate.Alternate:0.000}) + bm25 {candidate.Bm25:0.000} (raw {candidate.RawBm25:0.00}){(p.Kind == Knowledge.ContentKind.Story ? " [story]" : "")}");
            text.AppendLine($"    {p.Source}#{p.Section}: {Shorten(p.Text)}");
            foreach (var line in index.ExplainBm25(result, candidate).Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(12))
            {
                text.AppendLine($"      {line}");
            }
        }

        return text.ToString();
    }

    private static string Shorten(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= 110 ? s : s[..110];
    }

    private static string Readable(AskResponse answer)
    {
        var text = new StringBuilder();
        if (answer.Outcome == Outcomes.Answer)
        {
            foreach (var citation in answer.Citations)
            {
                text.AppendLine($"“{string.Join(' ', citation.Passage.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}”");
                text.AppendLine($"    — {citation.Title}, section “{citation.Section}” ({citation.Source}, characters {citation.Start}-{citation.End})");
                text.AppendLine();
            }
        }
        else
        {
            text.AppendLine(answer.Text.Trim());
            text.AppendLine();
        }

        text.Append($"[{answer.Outcome}{(answer.Reason is null ? "" : $": {answer.Reason}")}, confidence {answer.Confidence:0.00}]");
        return text.ToString();
    }
}
