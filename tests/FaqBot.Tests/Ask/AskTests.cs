using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Ask;

public sealed class AskTests
{
    [Fact]
    public async Task Api_ask_returns_a_cited_verbatim_answer()
    {
        await using var server = new FaqBotServer();
        using var client = server.CreateHttpClient();

        var response = await client.PostAsJsonAsync(new Uri("/api/ask", UriKind.Relative), new { question = "can I drive afterward?" });
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("answer", json.GetProperty("outcome").GetString());
        var citation = json.GetProperty("citations")[0];
        var source = citation.GetProperty("source").GetString()!;
        var text = File.ReadAllText(Path.Combine(TestPaths.Root, source)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = citation.GetProperty("start").GetInt32();
        var end = citation.GetProperty("end").GetInt32();
        Assert.Equal(text[start..end], citation.GetProperty("passage").GetString());
        Assert.Contains("driv", citation.GetProperty("passage").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(citation.GetProperty("title").GetString()!, json.GetProperty("text").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_ask_rejects_a_missing_question_with_problem_details()
    {
        await using var server = new FaqBotServer();
        using var client = server.CreateHttpClient();

        var response = await client.PostAsync(new Uri("/api/ask", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Ask_json_answers_every_line_in_order_including_bad_input()
    {
        var garbage = new string(Enumerable.Range(0, 300).Select(i => (char)((i * 7919) % 0xD7FF + 1)).Where(c => c != '\n' && c != '\r').ToArray());
        string[] questions =
        [
            "can I drive afterward?",
            "",
            new string('x', 100_000),
            garbage,
            "что такое кетамин",
            "what is the capital of france",
        ];

        var (exit, stdout, stderr) = await RunFaqBot(["ask", "--json"], string.Join('\n', questions) + "\n");

        Assert.Equal(0, exit);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(questions.Length, lines.Length);
        var answers = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("answer", answers[0].GetProperty("outcome").GetString());
        Assert.All(answers.Skip(1), a => Assert.Equal("fallback", a.GetProperty("outcome").GetString()));
        Assert.All(answers.Skip(1), a => Assert.False(string.IsNullOrWhiteSpace(a.GetProperty("text").GetString())));
        Assert.All(answers, a => Assert.True(a.TryGetProperty("confidence", out _) && a.TryGetProperty("citations", out _)));
    }

    [Fact]
    public async Task Ask_json_reports_crisis_handoff_with_its_reason_and_smalltalk()
    {
        var (exit, stdout, _) = await RunFaqBot(["ask", "--json"], "I feel like ending it all tonight\nhow much does an infusion cost?\nI need to speak to a nurse\nhello\neverything feels pointless lately\n");

        Assert.Equal(0, exit);
        var answers = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["crisis", "handoff", "handoff", "smalltalk", "checkin"], answers.Select(a => a.GetProperty("outcome").GetString()));
        Assert.Equal("checkin", answers[4].GetProperty("reason").GetString());
        Assert.Contains("safe right now", answers[4].GetProperty("text").GetString()!, StringComparison.Ordinal);
        Assert.Equal("crisis", answers[0].GetProperty("reason").GetString());
        Assert.Contains("988", answers[0].GetProperty("text").GetString()!, StringComparison.Ordinal);
        Assert.Equal("cost", answers[1].GetProperty("reason").GetString());
        Assert.Equal("ask-for-person", answers[2].GetProperty("reason").GetString());
        Assert.False(answers[3].TryGetProperty("reason", out _));
    }

    [Fact]
    public async Task Ask_prints_a_readable_answer_and_unknown_commands_get_usage()
    {
        var (exit, stdout, _) = await RunFaqBot(["ask", "how long does an infusion take?"], "");
        Assert.Equal(0, exit);
        Assert.Contains("minutes", stdout, StringComparison.Ordinal);
        Assert.Contains("knowledge/", stdout, StringComparison.Ordinal);

        var (badExit, _, badErr) = await RunFaqBot(["frobnicate"], "");
        Assert.Equal(2, badExit);
        Assert.Contains("usage", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_prints_the_scorer_figures_and_answer_times()
    {
        var (exit, stdout, _) = await RunFaqBot(["eval", TestPaths.Data("questions.jsonl")], "");
        Assert.Equal(0, exit);
        Assert.Matches(@"answerable top-1 \d+/\d+ \(\d+%\) \| wrong answers \d+/\d+ \(\d+%\) \| not-covered handled \d+/\d+ \| crisis \d+/\d+ \| fabricated citations 0 \| over-600-char citations 0", stdout);
        Assert.Matches(@"answer time: median \d+\.\d+ ms, p99 \d+\.\d+ ms", stdout);

        var (missingExit, _, missingErr) = await RunFaqBot(["eval", "no-such-file.jsonl"], "");
        Assert.Equal(1, missingExit);
        Assert.Contains("cannot read", missingErr, StringComparison.Ordinal);
    }

    /// <summary>Runs the real executable (the FaqBot.dll next to the tests) with the repository as its root.</summary>
    internal static async Task<(int Exit, string Stdout, string Stderr)> RunFaqBot(string[] args, string stdin)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
            WorkingDirectory = TestPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FaqBot.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["FAQBOT_ROOT"] = TestPaths.Root;
        start.Environment["ConnectionStrings__FaqBot"] = $"Data Source={Path.Combine(TestPaths.TempRoot, Guid.NewGuid().ToString("N") + ".db")}";
        using var process = Process.Start(start)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdoutTask, await stderrTask);
    }
}
