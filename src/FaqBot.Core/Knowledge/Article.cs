namespace FaqBot.Knowledge;

/// <summary>Whether a text is the clinic's guidance or one person's account of their own treatment.</summary>
public enum ContentKind
{
    Guidance,
    Story,
}

/// <summary>
/// One curated article. <see cref="Text"/> is the whole file; every offset points into it. An article from the index
/// on disk reads its text and answer units when they are first needed (a start-up does not re-read unchanged files).
/// </summary>
public sealed class Article
{
    private readonly Lazy<string> _text;
    private readonly Lazy<IReadOnlyList<Passage>> _passages;

    public Article(string source, string title, string origin, DateOnly reviewed, DateOnly? expires, string text, IReadOnlyList<Passage> passages)
        : this(source, title, origin, reviewed, expires, new Lazy<string>(text), new Lazy<IReadOnlyList<Passage>>(passages))
    {
    }

    /// <summary>An article whose text and answer units are read when first needed.</summary>
    public Article(string source, string title, string origin, DateOnly reviewed, DateOnly? expires, Func<string> text, Func<IReadOnlyList<Passage>> passages)
        : this(source, title, origin, reviewed, expires, new Lazy<string>(text), new Lazy<IReadOnlyList<Passage>>(passages))
    {
    }

    private Article(string source, string title, string origin, DateOnly reviewed, DateOnly? expires, Lazy<string> text, Lazy<IReadOnlyList<Passage>> passages)
    {
        Source = source;
        Title = title;
        Origin = origin;
        Reviewed = reviewed;
        Expires = expires;
        _text = text;
        _passages = passages;
    }

    public string Source { get; }

    public string Title { get; }

    public string Origin { get; }

    public DateOnly Reviewed { get; }

    public DateOnly? Expires { get; }

    public string Text => _text.Value;

    public IReadOnlyList<Passage> Passages => _passages.Value;
}

/// <summary>
/// An answer unit: 1-3 consecutive units of meaning inside one section, at most 600 characters. A unit of
/// meaning is a sentence, a list with its lead-in sentence, or a sentence together with the one it refers
/// back to. <see cref="Text"/> is exactly <c>Article.Text[Start..End]</c>. <see cref="Id"/> is its position among
/// the article's answer units (0, 1, ...): it stays the same when another article changes.
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
