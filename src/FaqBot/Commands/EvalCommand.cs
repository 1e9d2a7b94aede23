using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FaqBot.Ask;
using FaqBot.Knowledge;
using FaqBot.Search;

namespace FaqBot.Commands;

/// <summary>
/// <c>eval FILE.jsonl</c>: runs a question set (shared/eval format) and prints the figures score.py prints,
/// plus the median and 99th-percentile answer time measured in-process after a warm-up pass.
/// </summary>
public sealed partial class EvalCommand(string path) : ICommand
{
    public static ICommand Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args is [var file] && !file.StartsWith("--", StringComparison.Ordinal)
            ? new EvalCommand(file)
            : new CommandLine.UsageCommand("eval takes one question file (JSON lines: {\"q\", \"expect\", \"any\"})");
    }

    public sealed record EvalQuestion(string Q, IReadOnlyList<string> Expect, IReadOnlyList<string>? Any);

    public sealed record EvalReport(
        int AnswerableHit, int Answerable, int Wrong, int NotCoveredOk, int NotCovered, int CrisisOk, int Crisis,
        int Fabricated, int OverLong, double MedianMs, double P99Ms, IReadOnlyList<string> Misses, IReadOnlyList<int> RankedWithin)
    {
        /// <summary>How many best candidates of the search are looked at for <see cref="RankedWithin"/>: 1, 3, 5 and 10.</summary>
        public static readonly int[] RankDepths = [1, 3, 5, 10];

        /// <summary>Answerable questions answered with a first quote that does not answer them (worse than a fallback).</summary>
        public string Summary =>
            $"answerable top-1 {AnswerableHit}/{Answerable} ({Percent(AnswerableHit, Answerable)}%) | wrong answers {Wrong}/{Answerable} ({Percent(Wrong, Answerable)}%) | not-covered handled {NotCoveredOk}/{NotCovered} | crisis {CrisisOk}/{Crisis} | fabricated citations {Fabricated} | over-600-char citations {OverLong}";

        /// <summary>
        /// The search's ranking alone, before the answer is composed or withheld (out of scope, a clarification, a
        /// routed topic): how many answerable questions have an answering passage among its best 1, 3, 5 and 10.
        /// </summary>
        public string Ranking =>
            $"ranking: an answering passage is the search's best candidate for {RankedWithin[0]}/{Answerable} ({Percent(RankedWithin[0], Answerable)}%), "
            + string.Join(", ", RankDepths.Skip(1).Select((depth, i) => $"in its best {depth} for {RankedWithin[i + 1]} ({Percent(RankedWithin[i + 1], Answerable)}%)"));

        public string Timing => string.Create(CultureInfo.InvariantCulture, $"answer time: median {MedianMs:0.000} ms, p99 {P99Ms:0.000} ms");

        private static int Percent(int hit, int total) => (int)Math.Round(100.0 * hit / Math.Max(total, 1), MidpointRounding.ToEven);
    }

    public async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        IReadOnlyList<EvalQuestion> questions;
        try
        {
            var root = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
            questions = ReadQuestions(File.Exists(path) || Path.IsPathRooted(path) ? path : Path.Combine(root, path));
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"error: cannot read {path}: {ex.Message}");
            return 1;
        }

        var report = await RunAsync(questions, services.GetRequiredService<Asker>(), services.GetRequiredService<KnowledgeBase>(), ct);
        foreach (var miss in report.Misses)
        {
            await Console.Out.WriteLineAsync(miss);
        }

        await Console.Out.WriteLineAsync(report.Summary);
        await Console.Out.WriteLineAsync(report.Ranking);
        await Console.Out.WriteLineAsync(report.Timing);
        return 0;
    }

    public static IReadOnlyList<EvalQuestion> ReadQuestions(string file)
    {
        var result = new List<EvalQuestion>();
        var number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var question = JsonSerializer.Deserialize<EvalQuestion>(line, JsonSerializerOptions.Web);
            if (question?.Q is null || question.Expect is null)
            {
                throw new InvalidDataException($"line {number} needs \"q\" and \"expect\"");
            }

            result.Add(question);
        }

        return result;
    }

    public static async Task<EvalReport> RunAsync(IReadOnlyList<EvalQuestion> questions, Asker asker, KnowledgeBase knowledge, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(asker);
        ArgumentNullException.ThrowIfNull(knowledge);
        foreach (var q in questions)
        {
            await asker.AskAsync(q.Q, ct); // warm-up: JIT and SQLite statement caches
        }

        var corpus = Normalize(string.Join('\n', knowledge.Current.Knowledge.Articles.Select(a => a.Text)));
        var articles = knowledge.Current.Knowledge.Articles.ToDictionary(a => a.Source, StringComparer.Ordinal);
        var times = new List<double>(questions.Count);
        var misses = new List<string>();
        var rankedWithin = new int[EvalReport.RankDepths.Length];
        int ansN = 0, ansHit = 0, wrong = 0, nonN = 0, nonOk = 0, criN = 0, criOk = 0, fabricated = 0, overLong = 0;
        foreach (var q in questions)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await asker.AskAsync(q.Q, ct);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            foreach (var c in answer.Citations)
            {
                overLong += c.Passage.Length > 600 ? 1 : 0;
                var exact = articles.TryGetValue(c.Source, out var article) && c.End <= article.Text.Length && c.Start >= 0 && c.Start <= c.End
                    && article.Text[c.Start..c.End] == c.Passage;
                fabricated += exact && corpus.Contains(Normalize(c.Passage), StringComparison.Ordinal) ? 0 : 1;
            }

            var first = answer.Citations.Count > 0 ? Normalize(answer.Citations[0].Passage) : "";
            if (q.Any is { Count: > 0 } any)
            {
                ansN++;
                var ok = q.Expect.Contains(answer.Outcome) && Answers(first, any);
                ansHit += ok ? 1 : 0;
                var confidentlyWrong = !ok && answer.Outcome == Answering.Outcomes.Answer;
                wrong += confidentlyWrong ? 1 : 0;
                var ranked = knowledge.Current.Search(q.Q).Ranked;
                var answeringRank = Enumerable.Range(0, Math.Min(ranked.Count, EvalReport.RankDepths[^1]))
                    .FirstOrDefault(i => Answers(Normalize(ranked[i].Passage.Text), any), -1);
                for (var d = 0; d < rankedWithin.Length; d++)
                {
                    rankedWithin[d] += answeringRank >= 0 && answeringRank < EvalReport.RankDepths[d] ? 1 : 0;
                }

                if (!ok)
                {
                    misses.Add($"  {(confidentlyWrong ? "WRONG answer" : "miss answer")}: '{q.Q}' -> {answer.Outcome} '{Shorten(first)}'");
                }
            }
            else if (q.Expect is ["crisis"])
            {
                criN++;
                criOk += answer.Outcome == "crisis" ? 1 : 0;
                if (answer.Outcome != "crisis")
                {
                    misses.Add($"  miss crisis: '{q.Q}' -> {answer.Outcome}");
                }
            }
            else
            {
                nonN++;
                var ok = q.Expect.Contains(answer.Outcome);
                nonOk += ok ? 1 : 0;
                if (!ok)
                {
                    misses.Add($"  miss non-answer: '{q.Q}' -> {answer.Outcome}");
                }
            }
        }

        times.Sort();
        var median = times.Count == 0 ? 0 : times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;
        var p99 = times.Count == 0 ? 0 : times[Math.Min(times.Count - 1, (int)Math.Ceiling(0.99 * times.Count) - 1)];
        return new EvalReport(ansHit, ansN, wrong, nonOk, nonN, criOk, criN, fabricated, overLong, median, p99, misses, rankedWithin);
    }

    /// <summary>A normalized passage answers when it holds one of the question's answer fragments (as score.py reads them).</summary>
    private static bool Answers(string normalized, IReadOnlyList<string> any) =>
        any.Any(a => normalized.Contains(a.ToLowerInvariant(), StringComparison.Ordinal));

    private static string Normalize(string s) => Whitespace().Replace(s, " ").Trim().ToLowerInvariant();

    private static string Shorten(string s) => s.Length <= 90 ? s : s[..90];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
