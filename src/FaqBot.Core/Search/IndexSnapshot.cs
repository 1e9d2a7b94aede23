using System.Collections.Concurrent;
using System.Globalization;
using FaqBot.Knowledge;
using FaqBot.Search.Embedding;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace FaqBot.Search;

/// <summary>
/// One point-in-time view of the index on disk: a Lucene reader of the answer units and one of the articles, with
/// what ranking needs per document (its vector, its place in the knowledge folder's order). Answer units are read
/// from Lucene's stored fields when needed (all of them at once for a small knowledge base). Shared by every
/// <see cref="PassageIndex"/> built on the same commit; reference counted, so an index being replaced keeps its
/// view until the searches running on it have finished.
/// </summary>
internal sealed class IndexSnapshot
{
    private const int MaxRememberedPassages = 200_000;

    private readonly DirectoryReader _articles;
    private readonly Passage?[]? _all;
    private readonly ConcurrentDictionary<int, Passage> _passages = new();
    private readonly ConcurrentDictionary<string, int[]> _docsBySource = new(StringComparer.Ordinal);
    private int _references = 1;

    private IndexSnapshot(DirectoryReader passages, DirectoryReader articles, float[]?[] vectors, long[] order, int[] live, int exhaustiveLimit)
    {
        Reader = passages;
        _articles = articles;
        Searcher = new IndexSearcher(passages) { Similarity = new BM25Similarity() };
        Vectors = vectors;
        Order = order;
        Live = live;
        if (live.Length <= exhaustiveLimit)
        {
            _all = new Passage?[passages.MaxDoc];
            foreach (var doc in live)
            {
                _all[doc] = Read(doc);
            }
        }
    }

    public DirectoryReader Reader { get; }

    public IndexSearcher Searcher { get; }

    /// <summary>The vector of each document (null for a deleted one).</summary>
    public float[]?[] Vectors { get; }

    /// <summary>Each document's place in the knowledge folder's order (article file name, then position in the article): ties go by it.</summary>
    public long[] Order { get; }

    /// <summary>The documents not deleted, in document order.</summary>
    public int[] Live { get; }

    /// <summary>
    /// Reads the per-document figures of <paramref name="passages"/>. Vectors come from <paramref name="cache"/> (or this
    /// process's memory) by the key stored with each document; a text whose vector is in neither is read and embedded.
    /// </summary>
    public static IndexSnapshot Open(DirectoryReader passages, DirectoryReader articles, SentenceEmbedder embedder, EmbeddingCache? cache, int exhaustiveLimit, out int embedded)
    {
        var maxDoc = passages.MaxDoc;
        var vectors = new float[]?[maxDoc];
        var order = new long[maxDoc];
        var live = new List<int>(passages.NumDocs);
        var sources = MultiDocValues.GetSortedValues(passages, PassageFields.SourceOrder);
        var ordinals = MultiDocValues.GetNumericValues(passages, PassageFields.OrdinalOrder);
        var missing = new List<int>();
        var bytes = new BytesRef();
        foreach (var leaf in passages.Leaves)
        {
            var reader = leaf.AtomicReader;
            var liveDocs = reader.LiveDocs;
            var keys = reader.GetSortedDocValues(PassageFields.Key);
            var byOrd = new float[]?[keys?.ValueCount ?? 0];
            var looked = new bool[byOrd.Length];
            for (var local = 0; local < reader.MaxDoc; local++)
            {
                if (liveDocs is not null && !liveDocs.Get(local))
                {
                    continue;
                }

                var doc = leaf.DocBase + local;
                live.Add(doc);
                order[doc] = ((long)(sources?.GetOrd(doc) ?? 0) << 24) | (ordinals?.Get(doc) ?? 0);
                var ord = keys?.GetOrd(local) ?? -1;
                if (ord < 0)
                {
                    missing.Add(doc);
                    continue;
                }

                if (!looked[ord])
                {
                    looked[ord] = true;
                    keys!.LookupOrd(ord, bytes);
                    var key = Convert.ToHexString(bytes.Bytes, bytes.Offset, bytes.Length);
                    byOrd[ord] = cache?.TryGet(key) ?? embedder.Remembered(key);
                }

                if (byOrd[ord] is { } vector)
                {
                    vectors[doc] = vector;
                }
                else
                {
                    missing.Add(doc);
                }
            }
        }

        // Vectors neither on disk nor in memory (the embeddings cache was deleted): embed those texts again.
        embedded = missing.Count;
        if (missing.Count > 0)
        {
            var texts = missing.Select(doc => passages.Document(doc, BodyOnly).Get(PassageFields.Body)).ToList();
            var computed = embedder.Embed(texts, cache);
            for (var i = 0; i < missing.Count; i++)
            {
                vectors[missing[i]] = computed[i];
            }
        }

        return new IndexSnapshot(passages, articles, vectors, order, [.. live], exhaustiveLimit);
    }

    private static readonly HashSet<string> BodyOnly = [PassageFields.Body];

    /// <summary>The answer unit of one document (read from the stored fields once, then remembered).</summary>
    public Passage PassageAt(int doc)
    {
        if (_all is not null)
        {
            return _all[doc] ?? throw new ArgumentOutOfRangeException(nameof(doc), "a deleted document");
        }

        if (_passages.TryGetValue(doc, out var known))
        {
            return known;
        }

        if (_passages.Count >= MaxRememberedPassages)
        {
            _passages.Clear();
        }

        return _passages.GetOrAdd(doc, Read);
    }

    /// <summary>The documents of one article, by their position in it.</summary>
    public int[] DocsOf(string source) => _docsBySource.GetOrAdd(source, s =>
    {
        return [.. DocsWith(Reader, PassageFields.Source, s).OrderBy(d => Order[d])];
    });

    /// <summary>An article's answer units, in order.</summary>
    public IReadOnlyList<Passage> PassagesOf(string source) => [.. DocsOf(source).Select(PassageAt)];

    /// <summary>The document of an answer unit, or -1.</summary>
    public int DocOf(Passage passage)
    {
        var docs = DocsOf(passage.Source);
        return passage.Id >= 0 && passage.Id < docs.Length && PassageAt(docs[passage.Id]).Id == passage.Id ? docs[passage.Id] : -1;
    }

    /// <summary>The whole text of an article, as indexed.</summary>
    public string ArticleText(string source)
    {
        var docs = DocsWith(_articles, ArticleFields.Source, source);
        return docs.Count == 0 ? "" : _articles.Document(docs[0]).Get(ArticleFields.Text) ?? "";
    }

    /// <summary>The live documents whose <paramref name="field"/> holds <paramref name="value"/> (a term enumeration, no scoring).</summary>
    public static List<int> DocsWith(IndexReader reader, string field, string value)
    {
        var result = new List<int>();
        var docs = MultiFields.GetTermDocsEnum(reader, MultiFields.GetLiveDocs(reader), field, new BytesRef(value));
        if (docs is null)
        {
            return result;
        }

        for (var doc = docs.NextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.NextDoc())
        {
            result.Add(doc);
        }

        return result;
    }

    public IndexSnapshot Acquire()
    {
        Interlocked.Increment(ref _references);
        return this;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Reader.Dispose();
            _articles.Dispose();
        }
    }

    private Passage Read(int doc)
    {
        var d = Reader.Document(doc);
        int Int(string name) => d.GetField(name)?.GetInt32Value() ?? 0;
        return new Passage(
            Int(PassageFields.Ordinal),
            d.Get(PassageFields.Source),
            d.Get(PassageFields.Title),
            d.Get(PassageFields.Section),
            d.Get(PassageFields.Body),
            Int(PassageFields.Start),
            Int(PassageFields.End),
            Int(PassageFields.FirstUnit),
            Int(PassageFields.UnitCount),
            (ContentKind)Int(PassageFields.Kind));
    }
}

/// <summary>Field names of an answer unit's document.</summary>
internal static class PassageFields
{
    public const string Source = "source";
    public const string SourceOrder = "source_order";
    public const string Ordinal = "ordinal";
    public const string OrdinalOrder = "ordinal_order";
    public const string Key = "key";
    public const string Body = "body";
    public const string Section = "section";
    public const string Title = "title";
    public const string Words = "words";
    public const string Start = "start";
    public const string End = "end";
    public const string FirstUnit = "first_unit";
    public const string UnitCount = "unit_count";
    public const string Kind = "kind";
}

/// <summary>Field names of an article's document.</summary>
internal static class ArticleFields
{
    public const string Source = "source";
    public const string Hash = "hash";
    public const string Title = "title";
    public const string Origin = "origin";
    public const string Reviewed = "reviewed";
    public const string Expires = "expires";
    public const string Text = "text";

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}
