using FaqBot.Ask;
using FaqBot.Commands;
using FaqBot.Knowledge;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FaqBot.Tests.Search;

/// <summary>Our own question set (tests/FaqBot.Tests/Data/questions.jsonl) through the real app's services.</summary>
public sealed class QuestionSetTests(ITestOutputHelper output, QuestionSetTests.Services services) : IClassFixture<QuestionSetTests.Services>
{
    public sealed class Services : IAsyncLifetime
    {
        public FaqBotServer Server { get; private set; } = null!;

        public Task InitializeAsync()
        {
            Server = new FaqBotServer();
            return Task.CompletedTask;
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    /// <summary>The target: 90% top-1 on answerable questions and on questions the articles do not cover.</summary>
    private const double Target = 0.90;

    [Fact]
    public async Task Own_question_set_scores_at_least_90_percent_with_no_fabricated_citation()
    {
        var questions = EvalCommand.ReadQuestions(TestPaths.Data("questions.jsonl"));
        Assert.True(questions.Count(q => q.Any is { Count: > 0 }) >= 80, "at least 80 answerable questions");

        var report = await Run(questions);

        output.WriteLine(report.Summary);
        output.WriteLine(report.Timing);
        foreach (var miss in report.Misses)
        {
            output.WriteLine(miss);
        }

        Assert.Equal(0, report.Fabricated);
        Assert.Equal(0, report.OverLong);
        Assert.True(report.AnswerableHit >= Math.Ceiling(Target * report.Answerable), $"answerable top-1 {report.AnswerableHit}/{report.Answerable}");
        Assert.True(report.NotCoveredOk >= Math.Ceiling(Target * report.NotCovered), $"not covered {report.NotCoveredOk}/{report.NotCovered}");
    }

    [Fact]
    public async Task Hold_out_set_written_before_tuning_stays_above_80_percent()
    {
        var report = await Run(EvalCommand.ReadQuestions(TestPaths.Data("holdout-questions.jsonl")));

        output.WriteLine(report.Summary);
        Assert.Equal(0, report.Fabricated);
        Assert.True(report.AnswerableHit >= Math.Ceiling(0.8 * report.Answerable), report.Summary);
        Assert.Equal(report.NotCovered, report.NotCoveredOk);
    }

    /// <summary>
    /// A second hold-out set, written last by someone who saw no other question file: the most honest figure
    /// for new patient questions (21/32 on its first run, 23/32 since). Its floor only catches regressions.
    /// </summary>
    [Fact]
    public async Task Second_hold_out_set_stays_at_its_measured_level()
    {
        var report = await Run(EvalCommand.ReadQuestions(TestPaths.Data("holdout2-questions.jsonl")));

        output.WriteLine(report.Summary);
        Assert.Equal(0, report.Fabricated);
        Assert.True(report.AnswerableHit >= 23, report.Summary);
        Assert.Equal(report.NotCovered, report.NotCoveredOk);
    }

    [Fact]
    public async Task Shared_sample_set_is_answered_and_every_non_answer_is_handled()
    {
        // CI runs in a clone with shared/ beside it; the sample set is not copied into this repository.
        var sample = Path.Combine(TestPaths.Root, "..", "shared", "eval", "sample-questions.jsonl");
        if (!File.Exists(sample))
        {
            Assert.NotEqual("true", Environment.GetEnvironmentVariable("CI"));
            output.WriteLine($"{sample} not found; the shared sample set is checked where shared/ sits beside the repository");
            return;
        }

        var report = await Run(EvalCommand.ReadQuestions(sample));
        output.WriteLine(report.Summary);
        Assert.True(report.AnswerableHit >= 14, report.Summary);
        Assert.Equal(report.NotCovered, report.NotCoveredOk);
        Assert.Equal(report.Crisis, report.CrisisOk);
        Assert.Equal(0, report.Fabricated);
    }

    private Task<EvalCommand.EvalReport> Run(IReadOnlyList<EvalCommand.EvalQuestion> questions) =>
        EvalCommand.RunAsync(
            questions,
            services.Server.Services.GetRequiredService<Asker>(),
            services.Server.Services.GetRequiredService<KnowledgeBase>(),
            CancellationToken.None);
}
