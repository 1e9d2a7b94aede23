using FaqBot.Answering;
using FaqBot.Knowledge;
using FaqBot.Search;
using Microsoft.Extensions.Options;

namespace FaqBot.Tests.Answering;

public sealed class AnswerComposerTests
{
    private static Passage Unit(int id, string section, string text, ContentKind kind) =>
        new(id, $"knowledge/{section}.md", section, section, text, 0, text.Length, 0, 1, kind);

    private static ScoredPassage Scored(Passage passage, double score) => new(passage, score, score, 0, 0, 0, passage.Id);

    [Fact]
    public void A_quote_from_a_personal_account_is_labelled_and_guidance_is_not()
    {
        var story = AnswerComposer.ToCitation(Unit(1, "Journey", "I asked a friend to drive me home.", ContentKind.Story));
        var guidance = AnswerComposer.ToCitation(Unit(2, "Aftercare", "Do not drive for the rest of the day.", ContentKind.Guidance));

        var markdown = AnswerComposer.ToMarkdown([guidance, story]);

        var label = markdown.IndexOf(AnswerComposer.StoryLabel, StringComparison.Ordinal);
        Assert.True(label > markdown.IndexOf("Do not drive", StringComparison.Ordinal), markdown);
        Assert.True(label < markdown.IndexOf("I asked a friend", StringComparison.Ordinal), markdown);
        Assert.Equal(1, markdown.Split(AnswerComposer.StoryLabel).Length - 1);
    }

    [Fact]
    public void Guidance_is_never_put_up_against_a_story_in_did_you_mean_but_two_guidance_sections_are()
    {
        var options = new SearchOptions { AnswerThreshold = 0.5, ClarifyMargin = 0.05, ClarifyCeiling = 0.9 };
        var composer = new AnswerComposer(Options.Create(options));
        var guidance = Unit(1, "Aftercare", "Do not drive for the rest of the day.", ContentKind.Guidance);
        var story = Unit(2, "Journey", "I asked a friend to take me home afterwards.", ContentKind.Story);
        var otherGuidance = Unit(3, "Transport", "Arrange a ride with someone you trust.", ContentKind.Guidance);

        var againstStory = composer.Compose(new SearchResult("q", "q", [Scored(guidance, 0.6), Scored(story, 0.59)], [], [], 1, false, null));
        Assert.Equal(Outcomes.Answer, againstStory.Outcome);
        Assert.Equal(ContentKind.Guidance, againstStory.Citations[0].Kind);

        var twoGuidance = composer.Compose(new SearchResult("q", "q", [Scored(guidance, 0.6), Scored(otherGuidance, 0.59)], [], [], 1, false, null));
        Assert.Equal(Outcomes.Clarify, twoGuidance.Outcome);
    }

    [Fact]
    public void An_out_of_scope_question_falls_back_however_well_its_other_words_match()
    {
        var composer = new AnswerComposer(Options.Create(new SearchOptions()));
        var unit = Unit(1, "Conditions", "Ketamine has shown promise for chronic pain.", ContentKind.Guidance);
        var answer = composer.Compose(new SearchResult("can ketamine clear up acne", "can ketamine clear up acne", [Scored(unit, 0.9)], [], ["acne"], 0.8, true, null));
        Assert.Equal(Outcomes.Fallback, answer.Outcome);
        Assert.Empty(answer.Citations);
    }
}
