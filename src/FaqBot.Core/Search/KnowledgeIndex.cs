using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FaqBot.Knowledge;
using FaqBot.Search.Analysis;
using FaqBot.Search.Embedding;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Microsoft.Extensions.Logging;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace FaqBot.Search;

/// <summary>What one (re-)index did: the figures the log, the tests and the benchmark read.</summary>
/// <param name="Parsed">Article files read and parsed (new or changed ones; broken ones too).</param>
/// <param name="Unchanged">Articles already in the index whose file has not changed: neither parsed nor embedded.</param>
/// <param name="Removed">Articles taken out of the index (deleted, broken, expired, or replaced by their new version).</param>
/// <param name="EmbeddedTexts">Answer-unit texts handed to the model (or found in the embeddings cache) for new documents.</param>
/// <param name="FromScratch">The index was (re)built from nothing: none on disk, or one that did not fit (see the log).</param>
public sealed record IndexUpdate(int Parsed, int Unchanged, int Removed, int EmbeddedTexts, bool FromScratch, TimeSpan Elapsed);

/// <summary>
/// The Lucene.Net index of the knowledge folder, on disk (<see cref="MMapDirectory"/> under
/// <see cref="SearchOptions.IndexPath"/>) or in memory when that is empty or another process holds it. Two indexes in
/// one folder: <c>passages</c> (one document per answer unit: BM25 fields, the typo vocabulary, stored fields for the
/// answer, doc values for order and the embedding key) and <c>articles</c> (one document per article: its text, and its
/// words and title for BM25, which picks the articles a large knowledge base searches), and
/// <c>manifest.json</c> (each article's file hash and front matter). An update reads only the files whose content changed (by SHA-256), deletes the documents
/// of changed, removed, broken and expired articles by their source term, adds the new ones, embeds only their texts,
/// commits and reopens the readers (what Lucene's SearcherManager does on a refresh). An index written by another
/// schema, another model or for another knowledge folder, or one that cannot be read, is rebuilt from scratch.
/// Not thread-safe: <see cref="KnowledgeBase"/> calls it under its reload lock.
/// </summary>
internal sealed partial class KnowledgeIndex : IDisposable
{
    /// <summary>Bump when the documents, the analysis chain or the article parser change: the index on disk is rebuilt.</summary>
    public const string SchemaVersion = "faqbot-index-3";

    private const string SchemaKey = "schema";
    private const string ModelKey = "model";
    private const string FolderKey = "folder";
    private const string TokenKey = "token";

    private readonly ILogger _logger;
    private readonly string _knowledgeFolder;
    private readonly LuceneDirectory _passagesDirectory;
    private readonly LuceneDirectory _articlesDirectory;
    private readonly IndexWriter _passages;
    private readonly IndexWriter _articles;

    /// <summary>What the index holds per article (source → entry); mirrors the articles index.</summary>
    private readonly Dictionary<string, ArticleEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>Length and write time of each file when its hash was taken: an untouched file is not read again.</summary>
    private readonly Dictionary<string, (long Length, DateTime Modified, string Hash)> _hashes = new(StringComparer.Ordinal);

    private readonly SegmentFigures.Table _segments = new();
    private IndexSnapshot? _snapshot;
    private bool _fromScratch;

    /// <summary>One article as indexed: its file (hash, length and write time when hashed) and front matter.</summary>
    internal sealed record ArticleEntry(string Source, string Hash, long Length, DateTime Modified, string Title, string Origin, DateOnly Reviewed, DateOnly? Expires);

    /// <summary>
    /// <c>manifest.json</c> beside the index: every article's entry and the token of the commit it describes. Written
    /// (to a temporary file, then renamed) after each commit; read at start-up instead of the articles' documents.
    /// </summary>
    internal sealed record Manifest(string Token, List<ArticleEntry> Articles);

    private readonly string? _manifestPath;

    private KnowledgeIndex(LuceneDirectory passages, LuceneDirectory articles, string knowledgeFolder, string? manifestPath, ILogger logger)
    {
        _logger = logger;
        _manifestPath = manifestPath;
        _knowledgeFolder = knowledgeFolder;
        _passagesDirectory = passages;
        _articlesDirectory = articles;
        _passages = new IndexWriter(passages, PassageConfig());
        try
        {
            _articles = new IndexWriter(articles, new IndexWriterConfig(TextAnalysis.Version, TextAnalysis.Stems) { Similarity = new BM25Similarity(), OpenMode = OpenMode.CREATE_OR_APPEND });
        }
        catch
        {
            _passages.Dispose();
            throw;
        }
    }

    /// <summary>True when the index lives on disk (false: in memory, built at every start).</summary>
    public bool OnDisk { get; private init; }

    /// <summary>
    /// Opens the index in <paramref name="folder"/> (null: in memory). One that does not match this schema, model or
    /// knowledge folder, or cannot be read, is emptied and rebuilt (logged); one locked by another process leaves this
    /// process with an index in memory (logged).
    /// </summary>
    public static KnowledgeIndex Open(string? folder, string knowledgeFolder, ILogger logger)
    {
        if (string.IsNullOrEmpty(folder))
        {
            return InMemory(knowledgeFolder, logger);
        }

        KnowledgeIndex index;
        try
        {
            index = OnDiskIn(folder, knowledgeFolder, logger);
        }
        catch (LockObtainFailedException)
        {
            LogIndexInUse(logger, folder);
            return InMemory(knowledgeFolder, logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Unreadable (corrupt, truncated, another format): start afresh in the same folder.
            LogIndexRebuilt(logger, folder, $"it could not be read ({ex.GetType().Name}: {ex.Message})");
            try
            {
                foreach (var part in new[] { "passages", "articles" })
                {
                    var path = Path.Combine(folder, part);
                    if (System.IO.Directory.Exists(path))
                    {
                        System.IO.Directory.Delete(path, recursive: true);
                    }
                }

                index = OnDiskIn(folder, knowledgeFolder, logger);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                LogIndexUnavailable(logger, folder, again.Message);
                return InMemory(knowledgeFolder, logger);
            }

            index._fromScratch = true;
            return index;
        }

        var reason = index.Mismatch();
        if (reason is not null)
        {
            if (reason.Length > 0)
            {
                LogIndexRebuilt(logger, folder, reason);
            }

            index._passages.DeleteAll();
            index._articles.DeleteAll();
            index._fromScratch = true;
        }
        else
        {
            index.LoadEntries();
        }

        return index;
    }

    private static KnowledgeIndex OnDiskIn(string folder, string knowledgeFolder, ILogger logger)
    {
        System.IO.Directory.CreateDirectory(folder);
        var passages = new MMapDirectory(Path.Combine(folder, "passages"));
        var articles = new MMapDirectory(Path.Combine(folder, "articles"));
        try
        {
            return new KnowledgeIndex(passages, articles, knowledgeFolder, Path.Combine(folder, "manifest.json"), logger) { OnDisk = true };
        }
        catch
        {
            passages.Dispose();
            articles.Dispose();
            throw;
        }
    }

    private static KnowledgeIndex InMemory(string knowledgeFolder, ILogger logger) =>
        new(new RAMDirectory(), new RAMDirectory(), knowledgeFolder, null, logger) { _fromScratch = true };

    private static IndexWriterConfig PassageConfig()
    {
        // Body, section and title: stems; the typo vocabulary: surface words. BM25's norms. Merges keep documents in
        // the order they were added (ties between equal scores then go as they always did).
        var analyzer = new PerFieldAnalyzerWrapper(TextAnalysis.Stems, new Dictionary<string, Analyzer> { [PassageFields.Words] = TextAnalysis.Surface });
        return new IndexWriterConfig(TextAnalysis.Version, analyzer)
        {
            Similarity = new BM25Similarity(),
            OpenMode = OpenMode.CREATE_OR_APPEND,
            MergePolicy = new LogByteSizeMergePolicy(),
            RAMBufferSizeMB = 64,
        };
    }

    /// <summary>Why the index on disk cannot be used as it is ("" when there is none yet), or null when it can.</summary>
    private string? Mismatch()
    {
        var passages = _passages.CommitData;
        var articles = _articles.CommitData;
        if ((passages is null || passages.Count == 0) && (articles is null || articles.Count == 0))
        {
            return _passages.NumDocs == 0 && _articles.NumDocs == 0 ? "" : "it has no FaqBot commit data";
        }

        string Get(IDictionary<string, string>? data, string key) => data is not null && data.TryGetValue(key, out var value) ? value : "";
        if (Get(passages, SchemaKey) != SchemaVersion || Get(articles, SchemaKey) != SchemaVersion)
        {
            return $"it was written by another index version ({Get(passages, SchemaKey)}; this one is {SchemaVersion})";
        }

        if (Get(passages, ModelKey) != SentenceEmbedder.ModelId)
        {
            return $"it was built with another embedding model ({Get(passages, ModelKey)})";
        }

        if (Get(passages, FolderKey) != _knowledgeFolder)
        {
            return "it was built for another knowledge folder";
        }

        if (Get(passages, TokenKey) != Get(articles, TokenKey))
        {
            return "its two parts are from different commits (an interrupted update)";
        }

        _manifest = ReadManifest();
        return _manifest?.Token == Get(passages, TokenKey) ? null : "its manifest.json is missing, unreadable or from another commit";
    }

    private Manifest? _manifest;

    private Manifest? ReadManifest()
    {
        try
        {
            return _manifestPath is not null && File.Exists(_manifestPath)
                ? JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(_manifestPath))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void WriteManifest(string token)
    {
        if (_manifestPath is null)
        {
            return;
        }

        var temporary = _manifestPath + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(new Manifest(token, [.. _entries.Values.OrderBy(e => e.Source, StringComparer.Ordinal)])));
        File.Move(temporary, _manifestPath, overwrite: true);
    }

    private void LoadEntries()
    {
        foreach (var entry in _manifest?.Articles ?? [])
        {
            _entries[entry.Source] = entry;

            // Length and write time as they were when the file was hashed: if both are the same now, it is not read again.
            _hashes[entry.Source] = (entry.Length, entry.Modified, entry.Hash);
        }

        _manifest = null;
    }

    /// <summary>
    /// Brings the index up to date with <paramref name="folder"/> and returns a view of it (the caller releases it),
    /// the articles (text and answer units read from the index when first needed) and the files skipped.
    /// Throws <see cref="KnowledgeUnavailableException"/>, leaving the index as it was, when no article would be left.
    /// </summary>
    public (IndexSnapshot Snapshot, IReadOnlyList<Article> Articles, IndexUpdate Update) Update(
        string folder, string synonymsPath, string repositoryRoot, DateOnly today, SentenceEmbedder embedder, EmbeddingCache? cache, int exhaustiveLimit, List<KnowledgeProblem> problems)
    {
        var clock = Stopwatch.StartNew();
        var parsed = new List<(Article Article, string Hash)>();
        var removed = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unchanged = 0;
        var parsedCount = 0;
        var added = 0;
        var replaced = 0;
        var embedded = 0;
        if (!System.IO.Directory.Exists(folder))
        {
            throw new KnowledgeUnavailableException($"The knowledge folder '{folder}' does not exist. Create it and add the clinic's articles (see README: adding an article).");
        }

        void AddParsed()
        {
            var (texts, swapped) = Add(parsed, embedder, cache);
            embedded += texts;
            replaced += swapped;
            added += parsed.Count;
            parsed.Clear();
        }

        foreach (var file in KnowledgeLoader.ArticleFiles(folder, synonymsPath))
        {
            var source = KnowledgeLoader.Relative(repositoryRoot, file);
            seen.Add(source);
            try
            {
                var (hash, bytes) = HashOf(source, file);
                if (_entries.TryGetValue(source, out var entry) && entry.Hash == hash)
                {
                    if (entry.Expires is { } expired && expired < today)
                    {
                        problems.Add(new KnowledgeProblem(source, $"expired on {expired:yyyy-MM-dd}; review it and move 'expires' forward"));
                        removed.Add(source);
                    }
                    else
                    {
                        unchanged++;
                    }

                    continue;
                }

                parsedCount++;
                bytes ??= File.ReadAllBytes(file);
                using var text = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
                var article = ArticleParser.Parse(source, text.ReadToEnd(), DateOnly.FromDateTime(File.GetLastWriteTimeUtc(file)));
                if (article.Expires is { } expires && expires < today)
                {
                    problems.Add(new KnowledgeProblem(source, $"expired on {expires:yyyy-MM-dd}; review it and move 'expires' forward"));
                    if (_entries.ContainsKey(source))
                    {
                        removed.Add(source);
                    }

                    continue;
                }

                parsed.Add((article, hash));
                if (parsed.Count >= ArticlesPerBatch)
                {
                    AddParsed(); // a first build of a large folder never holds every parsed article at once
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
                problems.Add(new KnowledgeProblem(source, ex.Message));
                if (_entries.ContainsKey(source))
                {
                    removed.Add(source);
                }
            }
        }

        removed.UnionWith(_entries.Keys.Where(s => !seen.Contains(s)));
        foreach (var gone in _hashes.Keys.Where(s => !seen.Contains(s)).ToList())
        {
            _hashes.Remove(gone);
        }

        // Nothing has been written unless an article was added (then one remains): the index stays as it was.
        if (added == 0 && parsed.Count == 0 && _entries.Keys.All(removed.Contains))
        {
            var detail = problems.Count == 0 ? "it holds no .md or .txt article" : string.Join("; ", problems.Select(p => $"{p.Source}: {p.Reason}"));
            throw new KnowledgeUnavailableException($"The knowledge folder '{folder}' has no usable article: {detail}.");
        }

        if (parsed.Count > 0)
        {
            AddParsed();
        }

        foreach (var source in removed)
        {
            _passages.DeleteDocuments(new Term(PassageFields.Source, source));
            _articles.DeleteDocuments(new Term(ArticleFields.Source, source));
            _entries.Remove(source);
        }

        if (_fromScratch || removed.Count > 0 || added > 0)
        {
            if (_fromScratch || added * MergeAfterShare >= _entries.Count)
            {
                MergeSegments();
            }

            Commit();
        }

        var snapshot = Refresh(embedder, cache, exhaustiveLimit, out var reembedded);
        var articles = _entries.Values
            .OrderBy(e => e.Source, StringComparer.Ordinal)
            .Select(e => new Article(e.Source, e.Title, e.Origin, e.Reviewed, e.Expires, () => snapshot.ArticleText(e.Source), () => snapshot.PassagesOf(e.Source)))
            .ToList();
        var update = new IndexUpdate(parsedCount, unchanged, removed.Count + replaced, embedded + reembedded, _fromScratch, clock.Elapsed);
        _fromScratch = false;
        return (snapshot, articles, update);
    }

    /// <summary>An update that (re-)added at least one article in this many is followed by a merge into one segment.</summary>
    private const int MergeAfterShare = 10;

    /// <summary>
    /// Merges each part of the index into one segment (in document order). Every term of a question is looked up and
    /// scored once per segment, with its own postings enumeration: a first build of 10,000 articles wrote four segments
    /// of answer units, and one segment instead cut what each answer allocated from about 1.5 to 1 MB and the pauses
    /// of the garbage collector from 2.2 to 0.7 s over 1,771 questions, answer p99 22.1-22.6 to 18.3-18.9 ms. The merge took
    /// about 8 s after that 66 s build. Small updates (one article changed) add a small segment and are left to the
    /// merge policy.
    /// </summary>
    private void MergeSegments()
    {
        _passages.ForceMerge(1);
        _articles.ForceMerge(1);
    }

    /// <summary>Parsed articles are added to the index this many at a time.</summary>
    private const int ArticlesPerBatch = 500;

    /// <summary>
    /// Replaces or adds <paramref name="parsed"/> (in the folder's order, so that a fresh index numbers its documents
    /// as the articles come): the previous version's documents are deleted first, the texts embedded (the cache on disk
    /// and this process's memory hold them by key), then the documents added. Not committed yet.
    /// </summary>
    private (int Embedded, int Replaced) Add(List<(Article Article, string Hash)> parsed, SentenceEmbedder embedder, EmbeddingCache? cache)
    {
        var replaced = 0;
        foreach (var (article, _) in parsed)
        {
            if (_entries.Remove(article.Source))
            {
                _passages.DeleteDocuments(new Term(PassageFields.Source, article.Source));
                _articles.DeleteDocuments(new Term(ArticleFields.Source, article.Source));
                replaced++;
            }
        }

        var texts = parsed.SelectMany(p => p.Article.Passages).Select(p => p.Text).ToList();
        embedder.Embed(texts, cache);
        foreach (var (article, hash) in parsed)
        {
            foreach (var passage in article.Passages)
            {
                _passages.AddDocument(PassageDocument(passage));
            }

            _articles.AddDocument(
            [
                new StringField(ArticleFields.Source, article.Source, Field.Store.YES),
                new SortedDocValuesField(ArticleFields.SourceValue, new BytesRef(article.Source)),
                new StoredField(ArticleFields.Text, article.Text),
                new TextField(ArticleFields.Body, article.Text, Field.Store.NO),
                new TextField(ArticleFields.Title, article.Title, Field.Store.NO),
            ]);
            var (length, modified, _) = _hashes.GetValueOrDefault(article.Source, (-1, default, hash));
            _entries[article.Source] = new ArticleEntry(article.Source, hash, length, modified, article.Title, article.Origin, article.Reviewed, article.Expires);
        }

        return (texts.Count, replaced);
    }

    /// <summary>Commits both parts with the same token, then writes the manifest that names it.</summary>
    private void Commit()
    {
        var data = new Dictionary<string, string>
        {
            [SchemaKey] = SchemaVersion,
            [ModelKey] = SentenceEmbedder.ModelId,
            [FolderKey] = _knowledgeFolder,
            [TokenKey] = Guid.NewGuid().ToString("N"),
        };
        _passages.SetCommitData(data);
        _articles.SetCommitData(data);
        _passages.Commit();
        _articles.Commit();
        WriteManifest(data[TokenKey]);
    }

    private static Document PassageDocument(Passage passage)
    {
        var key = SentenceEmbedder.Key(passage.Text);
        return
        [
            new StringField(PassageFields.Source, passage.Source, Field.Store.YES),
            new SortedDocValuesField(PassageFields.SourceOrder, new BytesRef(passage.Source)),
            new StoredField(PassageFields.Ordinal, passage.Id),
            new NumericDocValuesField(PassageFields.OrdinalOrder, passage.Id),
            new SortedDocValuesField(PassageFields.Key, new BytesRef(Convert.FromHexString(key))),
            new TextField(PassageFields.Body, passage.Text, Field.Store.YES),
            new TextField(PassageFields.Section, passage.Section, Field.Store.YES),
            new TextField(PassageFields.Title, passage.Title, Field.Store.YES),
            new TextField(PassageFields.Words, $"{passage.Text}\n{passage.Section}\n{passage.Title}", Field.Store.NO),
            new StoredField(PassageFields.Start, passage.Start),
            new StoredField(PassageFields.End, passage.End),
            new StoredField(PassageFields.FirstUnit, passage.FirstUnit),
            new StoredField(PassageFields.UnitCount, passage.UnitCount),
            new StoredField(PassageFields.Kind, (int)passage.Kind),
        ];
    }

    /// <summary>A view of the last commit: the previous one when nothing changed, else readers reopened on the new commit.</summary>
    private IndexSnapshot Refresh(SentenceEmbedder embedder, EmbeddingCache? cache, int exhaustiveLimit, out int embedded)
    {
        embedded = 0;
        if (_snapshot is { } current)
        {
            var passages = DirectoryReader.OpenIfChanged(current.Reader);
            if (passages is null)
            {
                return current.Acquire();
            }

            var articles = DirectoryReader.Open(_articlesDirectory);
            current.Release();
            _snapshot = IndexSnapshot.Open(passages, articles, embedder, cache, exhaustiveLimit, _segments, out embedded);
        }
        else
        {
            _snapshot = IndexSnapshot.Open(DirectoryReader.Open(_passagesDirectory), DirectoryReader.Open(_articlesDirectory), embedder, cache, exhaustiveLimit, _segments, out embedded);
        }

        return _snapshot.Acquire();
    }

    /// <summary>
    /// The content hash of a file (SHA-256; a .txt article's reviewed date is its write date, so that counts too), and
    /// its bytes when they had to be read. A file whose length and write time are those it had when it was hashed (in
    /// this process or when it was indexed) is not read again, as git does with its index.
    /// </summary>
    private (string Hash, byte[]? Bytes) HashOf(string source, string file)
    {
        var info = new FileInfo(file);
        if (_hashes.TryGetValue(source, out var known) && known.Length == info.Length && known.Modified == info.LastWriteTimeUtc)
        {
            return (known.Hash, null);
        }

        var bytes = File.ReadAllBytes(file);
        var hash = Convert.ToHexString(SHA256.HashData(bytes));
        if (source.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            hash += ":" + ArticleFields.Date(DateOnly.FromDateTime(info.LastWriteTimeUtc));
        }

        _hashes[source] = (info.Length, info.LastWriteTimeUtc, hash);
        return (hash, bytes);
    }

    public void Dispose()
    {
        _snapshot?.Release();
        _snapshot = null;

        // Every update commits what it wrote; anything not committed (an update that failed half-way) is dropped, never
        // committed on the way out without its manifest.
        _passages.Rollback();
        _articles.Rollback();
        _passagesDirectory.Dispose();
        _articlesDirectory.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The search index in {Folder} is rebuilt from scratch: {Reason}")]
    private static partial void LogIndexRebuilt(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The search index in {Folder} is in use by another process; this one keeps its index in memory and builds it at every start")]
    private static partial void LogIndexInUse(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No search index on disk in {Folder} ({Reason}); the index is kept in memory and built at every start")]
    private static partial void LogIndexUnavailable(ILogger logger, string folder, string reason);
}
