using FaqBot.Knowledge;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Knowledge;

public sealed class AlternateQuestionsTests
{
    private const string Article = """
        ---
        title: "Getting Home"
        source: "test"
        reviewed: 2026-01-02
        ---

        ## Driving

        Please do not drive for the rest of the day. Ask a friend to take you home.
        """;

    private static IReadOnlyList<Article> Articles()
    {
        return [ArticleParser.Parse("knowledge/home.md", Article, new DateOnly(2026, 1, 1))];
    }

    [Fact]
    public void Each_question_is_tied_to_the_smallest_unit_holding_its_anchor()
    {
        var problems = new List<KnowledgeProblem>();
        var yaml = "- article: home.md\n  section: Driving\n  anchor: do not drive\n  questions:\n    - can i drive myself back\n    - am i ok to get behind the wheel\n";
        var questions = AlternateQuestions.Parse("knowledge/questions.yaml", yaml, Articles(), problems);
        Assert.Empty(problems);
        Assert.Equal(2, questions.Count);
        Assert.All(questions, q => Assert.Equal("Please do not drive for the rest of the day.", q.Passage.Text));
    }

    [Theory]
    [InlineData("- article: home.md\n  section: Driving\n  anchor: fly a plane\n  questions: [x]\n", "line 1: the anchor \"fly a plane\"")]
    [InlineData("- article: away.md\n  section: Driving\n  anchor: drive\n  questions: [x]\n", "line 1: no article 'away.md'")]
    [InlineData("- article: home.md\n  section: Parking\n  anchor: drive\n  questions: [x]\n", "line 1: 'home.md' has no section \"Parking\"")]
    [InlineData("- article: home.md\n  section: Driving\n  anchor: drive\n", "line 1: an entry needs")]
    [InlineData("- article: home.md\n  section: Driving\n  anchor: do not drive\n  questions: [x]\n- article: home.md\n  section: Driving\n  anchor: nope\n  questions: [y]\n", "line 5: the anchor \"nope\"")]
    [InlineData("article: [unclosed", "not valid YAML")]
    public void A_bad_entry_is_a_clear_error_naming_its_line_and_the_others_still_load(string yaml, string reason)
    {
        var problems = new List<KnowledgeProblem>();
        AlternateQuestions.Parse("knowledge/questions.yaml", yaml, Articles(), problems);
        var problem = Assert.Single(problems);
        Assert.Contains(reason, problem.Reason, StringComparison.Ordinal);
        Assert.Equal("knowledge/questions.yaml", problem.Source);
    }

    [Fact]
    public void The_shipped_questions_file_loads_without_problems()
    {
        using var knowledge = TestPaths.Knowledge();
        Assert.Empty(knowledge.Current.Knowledge.Problems);
        Assert.True(knowledge.Current.Knowledge.Questions.Count >= 200);
        Assert.True(knowledge.Current.AlternateQuestionCount >= 200);
    }
}
