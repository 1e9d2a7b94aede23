namespace FaqBot.Knowledge;

/// <summary>One curated article. <see cref="Text"/> is the whole file; every offset points into it.</summary>
public sealed record Article(
    string Source,
    string Title,
    string Origin,
    DateOnly Reviewed,
    DateOnly? Expires,
    string Text,
    IReadOnlyList<Passage> Passages);

/// <summary>
/// A window of 1-3 consecutive sentences inside one section, at most 600 characters.
/// <see cref="Text"/> is exactly <c>Article.Text[Start..End]</c>.
/// </summary>
public sealed record Passage(
    int Id,
    string Source,
    string Title,
    string Section,
    string Text,
    int Start,
    int End,
    int FirstSentence,
    int SentenceCount);
