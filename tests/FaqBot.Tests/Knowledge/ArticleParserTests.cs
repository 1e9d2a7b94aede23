using FaqBot.Knowledge;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Knowledge;

public sealed class ArticleParserTests
{
    private const string Sample = """
        ---
        title: "Getting Ready"
        source: "test"
        reviewed: 2026-01-02
        ---

        Intro sentence one. Intro sentence two.

        ## Before You Come

        Eat a light breakfast. Bring a blanket! Is music allowed? Yes, bring headphones.

        - Wear comfortable clothing.
        - Arrange a ride home.

        ## After

        Rest for the day.
        """;

    [Fact]
    public void Passages_are_exact_substrings_with_offsets_and_never_cross_a_heading()
    {
        var article = ArticleParser.Parse("knowledge/ready.md", Sample, new DateOnly(2026, 1, 1));

        Assert.Equal("Getting Ready", article.Title);
        Assert.NotEmpty(article.Passages);
        foreach (var p in article.Passages)
        {
            Assert.Equal(p.Text, article.Text[p.Start..p.End]);
            Assert.InRange(p.UnitCount, 1, ArticleParser.MaxUnitsPerPassage);
            Assert.True(p.Text.Length <= ArticleParser.MaxPassageLength);
            Assert.DoesNotContain("##", p.Text, StringComparison.Ordinal);
        }

        Assert.Contains(article.Passages, p => p.Section == "Getting Ready" && p.Text == "Intro sentence one.");
        Assert.Contains(article.Passages, p => p.Section == "Before You Come" && p.Text == "Bring a blanket!");
        Assert.Contains(article.Passages, p => p.Section == "Before You Come" && p.Text == "Yes, bring headphones.\n\n- Wear comfortable clothing.\n- Arrange a ride home.");
        Assert.DoesNotContain(article.Passages, p => p.Text.Contains("Rest for the day", StringComparison.Ordinal) && p.Section != "After");
        Assert.DoesNotContain(article.Passages, p => p.Text == "Before You Come");
    }

    private const string Structured = """
        ---
        title: "After Your Infusion"
        source: "test"
        reviewed: 2026-01-02
        kind: guidance
        sections:
          "My Story": story
        ---

        ## What You Might Feel

        Some common sensations include:

        - Feeling detached
        - Vivid, dream-like imagery

        Most people feel tired. This usually passes within a day. However, some feel energised.

        Is it normal to cry? Many people do.

        ## My Story

        I asked a friend to drive me home.
        """;

    [Fact]
    public void A_list_and_its_lead_in_are_one_unit_and_the_lead_in_is_never_quoted_alone()
    {
        var article = ArticleParser.Parse("knowledge/after.md", Structured, new DateOnly(2026, 1, 1));
        var list = Assert.Single(article.Passages, p => p.UnitCount == 1 && p.Text.StartsWith("Some common sensations include:", StringComparison.Ordinal));
        Assert.EndsWith("Vivid, dream-like imagery", list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(article.Passages, p => p.Text == "Some common sensations include:");
        Assert.DoesNotContain(article.Passages, p => p.Text.StartsWith("- ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_sentence_that_refers_back_is_never_quoted_without_the_one_it_refers_to()
    {
        var article = ArticleParser.Parse("knowledge/after.md", Structured, new DateOnly(2026, 1, 1));
        Assert.DoesNotContain(article.Passages, p => p.Text.StartsWith("This usually passes", StringComparison.Ordinal));
        Assert.DoesNotContain(article.Passages, p => p.Text.StartsWith("However", StringComparison.Ordinal));
        Assert.Contains(article.Passages, p => p.UnitCount == 1 && p.Text == "Most people feel tired. This usually passes within a day. However, some feel energised.");
    }

    [Fact]
    public void A_question_is_never_the_answer_and_sections_carry_their_kind()
    {
        var article = ArticleParser.Parse("knowledge/after.md", Structured, new DateOnly(2026, 1, 1));
        Assert.DoesNotContain(article.Passages, p => p.Text.TrimEnd().EndsWith('?'));
        Assert.Contains(article.Passages, p => p.Text == "Many people do.");
        Assert.All(article.Passages.Where(p => p.Section == "My Story"), p => Assert.Equal(ContentKind.Story, p.Kind));
        Assert.All(article.Passages.Where(p => p.Section != "My Story"), p => Assert.Equal(ContentKind.Guidance, p.Kind));
    }

    [Theory]
    [InlineData("kind: memoir", "'guidance' or 'story'")]
    [InlineData("sections:\n  \"Nowhere\": story", "not a heading")]
    [InlineData("sections: story", "must map section headings")]
    public void Wrong_kinds_are_rejected_with_a_readable_reason(string frontMatter, string reason)
    {
        var text = $"---\ntitle: T\nsource: s\nreviewed: 2026-01-01\n{frontMatter}\n---\n\n## Here\n\nText.";
        var ex = Assert.Throws<InvalidDataException>(() => ArticleParser.Parse("knowledge/bad.md", text, new DateOnly(2026, 1, 1)));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no front matter here. Just text.", "front matter")]
    [InlineData("---\ntitle: [unclosed\n---\nText.", "YAML")]
    [InlineData("---\nsource: x\nreviewed: 2026-01-01\n---\nText.", "title")]
    [InlineData("---\ntitle: T\nreviewed: 2026-01-01\n---\nText.", "source")]
    [InlineData("---\ntitle: T\nsource: s\nreviewed: yesterday\n---\nText.", "reviewed")]
    [InlineData("---\ntitle: T\nsource: s\nreviewed: 2026-01-01\n---\n", "no article text")]
    public void Broken_articles_are_rejected_with_a_readable_reason(string text, string reason)
    {
        var ex = Assert.Throws<InvalidDataException>(() => ArticleParser.Parse("knowledge/bad.md", text, new DateOnly(2026, 1, 1)));
        Assert.Contains(reason, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Plain_text_articles_take_their_title_from_the_first_line()
    {
        var article = ArticleParser.Parse("knowledge/note.txt", "Clinic Note\nWe open early. Parking is free.\n\nSecond paragraph here.", new DateOnly(2026, 1, 1));
        Assert.Equal("Clinic Note", article.Title);
        Assert.Contains(article.Passages, p => p.Text == "Parking is free.");
    }

    [Fact]
    public void The_real_articles_parse_into_verbatim_passages_of_at_most_600_characters()
    {
        using var knowledge = TestPaths.Knowledge();
        var articles = knowledge.Current.Knowledge.Articles;
        Assert.Equal(5, articles.Count);
        Assert.Empty(knowledge.Current.Knowledge.Problems);
        foreach (var article in articles)
        {
            var onDisk = File.ReadAllText(Path.Combine(TestPaths.Root, article.Source)).Replace("\r\n", "\n", StringComparison.Ordinal);
            Assert.All(article.Passages, p =>
            {
                Assert.Equal(p.Text, onDisk[p.Start..p.End]);
                Assert.True(p.Text.Length <= 600, $"{article.Source}@{p.Start} is {p.Text.Length} chars");
            });
        }
    }
}
