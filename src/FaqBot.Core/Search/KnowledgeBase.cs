using FaqBot.Knowledge;
using FaqBot.Search.Embedding;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaqBot.Search;

/// <summary>
/// Holds the current <see cref="PassageIndex"/> and updates it when a file under the knowledge folder changes: the
/// Lucene index on disk (<see cref="SearchOptions.IndexPath"/>) re-indexes only the articles whose files changed, and a
/// start with an existing index reads no unchanged article. A failed update keeps the previous index; a broken file
/// is logged and skipped.
/// </summary>
public sealed partial class KnowledgeBase : IDisposable
{
    private readonly string _folder;
    private readonly string _root;
    private readonly KnowledgeOptions _options;
    private readonly SearchOptions _search;
    private readonly SentenceEmbedder _embedder;
    private readonly EmbeddingCache? _cache;
    private readonly KnowledgeIndex _index;
    private readonly TimeProvider _time;
    private readonly ILogger<KnowledgeBase> _logger;
    private readonly Lock _reloadGate = new();
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;
    private PassageIndex _current;
    private IReadOnlyList<TaughtQuestion> _taught = [];

    /// <summary>Loads the knowledge folder now; throws <see cref="KnowledgeUnavailableException"/> when there is nothing to answer from.</summary>
    public KnowledgeBase(
        IOptions<KnowledgeOptions> options,
        IOptions<SearchOptions> search,
        IHostEnvironment environment,
        SentenceEmbedder embedder,
        TimeProvider time,
        ILogger<KnowledgeBase> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(environment);
        _options = options.Value;
        _search = search.Value;
        _embedder = embedder;
        _root = environment.ContentRootPath;
        _cache = OpenCache(Path.GetFullPath(Path.Combine(_root, _search.EmbeddingCachePath)), logger);
        _folder = Path.GetFullPath(Path.Combine(_root, _options.Path));
        _time = time;
        _logger = logger;
        _index = KnowledgeIndex.Open(string.IsNullOrWhiteSpace(_search.IndexPath) ? null : Path.GetFullPath(Path.Combine(_root, _search.IndexPath)), _folder, logger);
        try
        {
            _current = Load();
        }
        catch
        {
            _index.Dispose();
            throw;
        }
    }

    public PassageIndex Current => Volatile.Read(ref _current);

    public string Folder => _folder;

    /// <summary>What the last (re-)index did: how many articles were parsed, left as they were, removed; how many texts embedded.</summary>
    public IndexUpdate LastUpdate { get; private set; } = new(0, 0, 0, 0, false, TimeSpan.Zero);

    /// <summary>True when the index is kept on disk between starts (false: in memory).</summary>
    public bool IndexOnDisk => _index.OnDisk;

    /// <summary>The questions staff taught (see <see cref="TaughtQuestion"/>), part of every index built from now on.</summary>
    public IReadOnlyList<TaughtQuestion> Taught => Volatile.Read(ref _taught);

    /// <summary>
    /// Replaces the taught questions and re-indexes at once (embeddings of unchanged text come from the cache),
    /// so a question taught in the console is answered from the next message on. False when the old index stays.
    /// </summary>
    public bool UseTaught(IReadOnlyList<TaughtQuestion> taught)
    {
        ArgumentNullException.ThrowIfNull(taught);
        lock (_reloadGate)
        {
            Volatile.Write(ref _taught, taught);
            return Reload();
        }
    }

    /// <summary>Re-reads every article and swaps the index in one step. Returns false when the old index stays.</summary>
    public bool Reload()
    {
        lock (_reloadGate)
        {
            PassageIndex next;
            try
            {
                next = Load();
            }
            catch (KnowledgeUnavailableException ex)
            {
                LogReloadFailed(_logger, ex.Message);
                return false;
            }

            var previous = Interlocked.Exchange(ref _current, next);
            // Searches already running on the old index finish first; it is disposed a little later.
            _ = Task.Delay(TimeSpan.FromSeconds(10), _time).ContinueWith(_ => previous.Dispose(), TaskScheduler.Default);
            return true;
        }
    }

    /// <summary>Starts watching the folder; changes settle for <see cref="KnowledgeOptions.ReloadDelayMilliseconds"/> then re-index.</summary>
    public void StartWatching()
    {
        if (_watcher is not null)
        {
            return;
        }

        _debounce = _time.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(_folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName };
        FileSystemEventHandler changed = (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(_options.ReloadDelayMilliseconds), Timeout.InfiniteTimeSpan);
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Deleted += changed;
        _watcher.Renamed += (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(_options.ReloadDelayMilliseconds), Timeout.InfiniteTimeSpan);
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
        lock (_reloadGate)
        {
            _current.Dispose();
            _index.Dispose();
        }
    }

    private PassageIndex Load()
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var problems = new List<KnowledgeProblem>();
        var synonymsPath = Path.Combine(_folder, _options.SynonymsFile);
        var synonyms = KnowledgeLoader.ReadOptional(_root, synonymsPath, problems);
        var (snapshot, articles, update) = _index.Update(_folder, synonymsPath, _root, today, _embedder, _cache, _search.ExhaustiveDenseLimit, problems);
        PassageIndex index;
        KnowledgeSet set;
        try
        {
            var questionsPath = Path.Combine(_folder, KnowledgeLoader.QuestionsFileName);
            var questionsYaml = KnowledgeLoader.ReadOptional(_root, questionsPath, problems);
            IReadOnlyList<AlternateQuestion> questions = questionsYaml is null
                ? []
                : AlternateQuestions.Parse(KnowledgeLoader.Relative(_root, questionsPath), questionsYaml, articles, problems);
            if (Taught is { Count: > 0 } taught)
            {
                questions = [.. questions, .. TaughtQuestion.Resolve(taught, articles, problems)];
            }

            set = new KnowledgeSet(articles, synonyms, questions, problems);
            index = PassageIndex.Open(set, snapshot, _embedder, _search, _cache);
        }
        catch
        {
            snapshot.Release();
            throw;
        }

        foreach (var problem in set.Problems)
        {
            LogSkipped(_logger, problem.Source, problem.Reason);
        }

        foreach (var problem in index.SynonymProblems)
        {
            LogSkipped(_logger, _options.SynonymsFile, problem);
        }

        LastUpdate = update;
        LogIndexed(_logger, set.Articles.Count, index.PassageCount, index.AlternateQuestionCount, update.Parsed, update.Unchanged, update.Removed, update.EmbeddedTexts, (long)update.Elapsed.TotalMilliseconds);
        return index;
    }

    private static EmbeddingCache? OpenCache(string folder, ILogger logger)
    {
        try
        {
            var cache = new EmbeddingCache(folder);
            if (cache.WasRebuilt)
            {
                LogCacheRebuilt(logger, folder);
            }

            return cache;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCacheUnavailable(logger, folder, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embeddings cache in {Folder} was unreadable and is being rebuilt")]
    private static partial void LogCacheRebuilt(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No embeddings cache in {Folder} ({Reason}); embeddings are computed at every start")]
    private static partial void LogCacheUnavailable(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {Articles} articles, {Passages} answer units, {Questions} alternate questions ({Parsed} files parsed, {Unchanged} unchanged, {Removed} removed, {Embedded} texts embedded; {Milliseconds} ms)")]
    private static partial void LogIndexed(ILogger logger, int articles, int passages, int questions, int parsed, int unchanged, int removed, int embedded, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped knowledge file {Source}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string source, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-indexing failed, the previous index stays in use: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);
}
