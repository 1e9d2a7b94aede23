namespace FaqBot.Knowledge;

/// <summary>Whether a text is the clinic's guidance or one person's account of their own treatment.</summary>
public enum ContentKind
{
    Guidance,
    Story,
}

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
/// An answer unit: 1-3 consecutive units of meaning inside one section, at most 600 characters. A unit of
/// meaning is a sentence, a list with its lead-in sentence, or a sentence together with the one it refers
/// back to. <see cref="Text"/> is exactly <c>Article.Text[Start..End]</c>.
/// </summary>
public sealed record Passage(
    int Id,
    string Source,
    string Title,
    string Section,
    string Text,
    int Start,
    int End,
    int FirstUnit,
    int UnitCount,
    ContentKind Kind = ContentKind.Guidance);
