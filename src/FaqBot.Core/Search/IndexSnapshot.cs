using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
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

    /// <summary>Up to this many answer units, all are read when the view opens (the real knowledge base); above, when first needed.</summary>
    private const int ReadAllLimit = 2_000;

    private readonly DirectoryReader _articles;
    private readonly IndexSearcher _articleSearcher;
    private readonly IReadOnlyList<string> _sourceNames;
    private readonly Passage?[]? _all;
    private readonly ConcurrentDictionary<int, Passage> _passages = new();
    private int _remembered;
    private readonly ConcurrentDictionary<string, int[]> _docsBySource = new(StringComparer.Ordinal);
    private int _references = 1;

    private IndexSnapshot(DirectoryReader passages, DirectoryReader articles, float[]?[] vectors, int[] sources, int[] ordinals, IReadOnlyList<string> sourceNames, int exhaustiveLimit)
    {
        Reader = passages;
        _articles = articles;
        // One thread per search: a large knowledge base's BM25 scores only the units of its best articles, and runs
        // beside the model (PassageIndex.Search). Searching the segments in parallel as well (Lucene's TaskScheduler,
        // 2026-11-30 morning) no longer paid once the articles were chosen first, and was removed.
        Searcher = new IndexSearcher(passages) { Similarity = new BM25Similarity() };
        _articleSearcher = new IndexSearcher(articles) { Similarity = new BM25Similarity() };
        Vectors = vectors;
        _sources = sources;
        _ordinals = ordinals;
        _sourceNames = sourceNames;
        Order = Comparer<int>.Create(CompareOrder);
        Count = passages.NumDocs;
        var live = Count <= exhaustiveLimit || Count <= ReadAllLimit ? LiveDocs(passages) : [];
        Live = Count <= exhaustiveLimit ? live : [];
        if (Count <= ReadAllLimit)
        {
            _all = new Passage?[passages.MaxDoc];
            foreach (var doc in live)
            {
                _all[doc] = Read(doc);
            }
        }
    }

    private readonly int[] _sources;
    private readonly int[] _ordinals;

    public DirectoryReader Reader { get; }

    public IndexSearcher Searcher { get; }

    /// <summary>The vector of each document (null for a deleted one).</summary>
    public float[]?[] Vectors { get; }

    /// <summary>The knowledge folder's order of documents (article file name, then place in the article): ties go by it.</summary>
    public IComparer<int> Order { get; }

    /// <summary>How many answer units (documents not deleted).</summary>
    public int Count { get; }

    /// <summary>The documents not deleted, in document order, when there are at most the exhaustive limit (else empty).</summary>
    public int[] Live { get; }

    /// <summary>
    /// Reads the per-document figures of <paramref name="passages"/>, segment by segment; a segment already seen by an
    /// earlier view (<paramref name="segments"/>) is not read again, so reopening after one article changed reads only
    /// that article's new segment. Vectors come from <paramref name="cache"/> (or this process's memory) by the key
    /// stored with each document; a text whose vector is in neither is read and embedded.
    /// </summary>
    public static IndexSnapshot Open(DirectoryReader passages, DirectoryReader articles, SentenceEmbedder embedder, EmbeddingCache? cache, int exhaustiveLimit, SegmentFigures.Table segments, out int embedded)
    {
        var maxDoc = passages.MaxDoc;
        var vectors = new float[]?[maxDoc];
        var sources = new int[maxDoc];
        var ordinals = new int[maxDoc];
        var missing = new List<int>();
        foreach (var leaf in passages.Leaves)
        {
            var figures = segments.Of(leaf.AtomicReader, embedder, cache);
            Array.Copy(figures.Vectors, 0, vectors, leaf.DocBase, figures.Vectors.Length);
            Array.Copy(figures.Sources, 0, sources, leaf.DocBase, figures.Sources.Length);
            Array.Copy(figures.Ordinals, 0, ordinals, leaf.DocBase, figures.Ordinals.Length);
            var liveDocs = leaf.AtomicReader.LiveDocs;
            for (var local = 0; local < figures.Vectors.Length; local++)
            {
                if (figures.Vectors[local] is null && (liveDocs is null || liveDocs.Get(local)))
                {
                    missing.Add(leaf.DocBase + local);
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

        return new IndexSnapshot(passages, articles, vectors, sources, ordinals, segments.SourceNames, exhaustiveLimit);
    }

    private static int[] LiveDocs(IndexReader reader)
    {
        var live = MultiFields.GetLiveDocs(reader);
        var result = new List<int>(reader.NumDocs);
        for (var doc = 0; doc < reader.MaxDoc; doc++)
        {
            if (live is null || live.Get(doc))
            {
                result.Add(doc);
            }
        }

        return [.. result];
    }

    private int CompareOrder(int a, int b)
    {
        var bySource = _sources[a] == _sources[b] ? 0 : string.CompareOrdinal(_sourceNames[_sources[a]], _sourceNames[_sources[b]]);
        return bySource != 0 ? bySource : _ordinals[a].CompareTo(_ordinals[b]);
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

        // Counted here: ConcurrentDictionary.Count takes every lock of the dictionary, on every read of a new unit.
        var passage = Read(doc);
        if (_passages.TryAdd(doc, passage) && Interlocked.Increment(ref _remembered) > MaxRememberedPassages)
        {
            _passages.Clear();
            Interlocked.Exchange(ref _remembered, 0);
        }

        return passage;
    }

    /// <summary>The documents of one article, by their position in it.</summary>
    public int[] DocsOf(string source) => _docsBySource.GetOrAdd(source, s =>
    {
        return [.. DocsWith(Reader, PassageFields.Source, s).OrderBy(d => _ordinals[d])];
    });

    /// <summary>The documents of the answer units of <paramref name="sources"/>, in document order.</summary>
    public int[] UnitDocsOf(IEnumerable<string> sources)
    {
        var docs = sources.Distinct(StringComparer.Ordinal).SelectMany(DocsOf).ToArray();
        Array.Sort(docs);
        return docs;
    }

    /// <summary>An article's answer units, in order.</summary>
    public IReadOnlyList<Passage> PassagesOf(string source) => [.. DocsOf(source).Select(PassageAt)];

    /// <summary>The document of an answer unit, or -1.</summary>
    public int DocOf(Passage passage)
    {
        var docs = DocsOf(passage.Source);
        return passage.Id >= 0 && passage.Id < docs.Length && PassageAt(docs[passage.Id]).Id == passage.Id ? docs[passage.Id] : -1;
    }

    /// <summary>The sources of the <paramref name="count"/> articles that BM25 ranks best for <paramref name="query"/> (on whole articles).</summary>
    public List<string> BestArticles(BooleanQuery query, int count)
    {
        if (query.Clauses.Count == 0)
        {
            return [];
        }

        // Out of order: a flat disjunction of terms then gets Lucene's BooleanScorer, which adds each term's postings
        // into a table of buckets instead of merging them doc by doc in a heap. Over 10,000 articles (most words in
        // most of them) BM25 alone went from p50 3.9-4.2 / p99 12.2-17 ms to 2.4-2.7 / 7.0-7.6 ms, the same articles
        // chosen (the 1,771 answers of the question sets at 10,000 articles are identical). Earlier, with nested groups,
        // each group had its own bucket table and the out-of-order scorer allocated 1 GB more over a run.
        var collector = TopScoreDocCollector.Create(count, docsScoredInOrder: false);
        _articleSearcher.Search(query, collector);
        var hits = collector.GetTopDocs().ScoreDocs;
        var sources = new List<string>(hits.Length);
        var value = new BytesRef();
        var leaves = _articles.Leaves;
        foreach (var hit in hits)
        {
            // Per segment and per thread: Lucene's doc values are not shared between threads.
            var leaf = leaves[ReaderUtil.SubIndex(hit.Doc, leaves)];
            leaf.AtomicReader.GetSortedDocValues(ArticleFields.SourceValue).Get(hit.Doc - leaf.DocBase, value);
            sources.Add(value.Utf8ToString());
        }

        return sources;
    }

    /// <summary>The article index's statistics of <paramref name="terms"/> (terms of article fields), for <see cref="BestArticles"/>.</summary>
    public Dictionary<Term, TermContext> ArticleTermStates(IEnumerable<Term> terms) => TermStates.Of(_articles, terms);

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

/// <summary>What ranking needs of each document of one segment, read once per segment (Lucene segments never change; deletes are marked apart).</summary>
internal sealed class SegmentFigures
{
    public required float[]?[] Vectors { get; init; }

    /// <summary>Each document's article, as an index into <see cref="Table.SourceNames"/>.</summary>
    public required int[] Sources { get; init; }

    /// <summary>Each document's place in its article.</summary>
    public required int[] Ordinals { get; init; }

    /// <summary>The figures of the segments seen so far, by segment core (forgotten when Lucene drops the segment).</summary>
    public sealed class Table
    {
        private readonly ConditionalWeakTable<object, SegmentFigures> _bySegment = [];
        private readonly List<string> _sourceNames = [];
        private readonly Dictionary<string, int> _sourceIds = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        /// <summary>Article names by id; ids are only ever added.</summary>
        public IReadOnlyList<string> SourceNames
        {
            get
            {
                lock (_gate)
                {
                    return [.. _sourceNames];
                }
            }
        }

        public SegmentFigures Of(AtomicReader segment, SentenceEmbedder embedder, EmbeddingCache? cache)
        {
            if (_bySegment.TryGetValue(segment.CoreCacheKey, out var known))
            {
                return known;
            }

            var figures = Read(segment, embedder, cache);
            _bySegment.AddOrUpdate(segment.CoreCacheKey, figures);
            return figures;
        }

        private SegmentFigures Read(AtomicReader segment, SentenceEmbedder embedder, EmbeddingCache? cache)
        {
            var maxDoc = segment.MaxDoc;
            var vectors = new float[]?[maxDoc];
            var sources = new int[maxDoc];
            var ordinals = new int[maxDoc];
            var keys = segment.GetSortedDocValues(PassageFields.Key);
            var names = segment.GetSortedDocValues(PassageFields.SourceOrder);
            var numbers = segment.GetNumericDocValues(PassageFields.OrdinalOrder);
            var bytes = new BytesRef();
            var vectorOfOrd = new float[]?[keys?.ValueCount ?? 0];
            for (var ord = 0; ord < vectorOfOrd.Length; ord++)
            {
                keys!.LookupOrd(ord, bytes);
                var key = Convert.ToHexString(bytes.Bytes, bytes.Offset, bytes.Length);
                vectorOfOrd[ord] = cache?.TryGet(key) ?? embedder.Remembered(key);
            }

            var sourceOfOrd = new int[names?.ValueCount ?? 0];
            lock (_gate)
            {
                for (var ord = 0; ord < sourceOfOrd.Length; ord++)
                {
                    names!.LookupOrd(ord, bytes);
                    var name = bytes.Utf8ToString();
                    if (!_sourceIds.TryGetValue(name, out var id))
                    {
                        id = _sourceNames.Count;
                        _sourceNames.Add(name);
                        _sourceIds[name] = id;
                    }

                    sourceOfOrd[ord] = id;
                }
            }

            for (var doc = 0; doc < maxDoc; doc++)
            {
                var keyOrd = keys?.GetOrd(doc) ?? -1;
                vectors[doc] = keyOrd >= 0 ? vectorOfOrd[keyOrd] : null;
                var sourceOrd = names?.GetOrd(doc) ?? -1;
                sources[doc] = sourceOrd >= 0 ? sourceOfOrd[sourceOrd] : 0;
                ordinals[doc] = (int)(numbers?.Get(doc) ?? 0);
            }

            return new SegmentFigures { Vectors = vectors, Sources = sources, Ordinals = ordinals };
        }
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
    public const string SourceValue = "source_value";
    public const string Text = "text";
    public const string Body = "body";
    public const string Title = "title";

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
