using FaqBot.Audit;
using FaqBot.Knowledge;
using FaqBot.Search;
using Microsoft.Extensions.Logging;

namespace FaqBot.Teaching;

public enum TeachStatus
{
    Taught,
    AlreadyTaught,
    InvalidQuestion,
    NoSuchPassage,
}

public sealed record TeachResult(TeachStatus Status, TaughtQuestion? Taught = null);

/// <summary>
/// Staff teach the bot a question it missed: the question becomes an alternate question of the answer unit they
/// picked (effective from the next message), recorded with who and when, and in the audit log without its text.
/// Admins remove taught questions; a question the articles cannot answer is listed as needing an article.
/// </summary>
public sealed partial class Teacher(ITeachingStore store, KnowledgeBase knowledge, IAuditLog audit, ILogger<Teacher> logger) : IDisposable
{
    public const int MaxQuestionLength = 500;

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Puts the taught questions into the index (at start-up).</summary>
    public async Task LoadAsync(CancellationToken ct = default)
    {
        var taught = await store.ListTaughtAsync(ct);
        if (taught.Count > 0)
        {
            knowledge.UseTaught(taught);
        }

        LogLoaded(logger, taught.Count);
    }

    /// <summary>The question, trimmed, when it is one a patient could have sent; otherwise null.</summary>
    public static string? Clean(string? question)
    {
        var text = question?.Trim();
        return string.IsNullOrEmpty(text) || text.Length > MaxQuestionLength || !text.Any(char.IsLetter) || text.Any(c => char.IsControl(c) && c is not '\n' and not '\t')
            ? null
            : text;
    }

    /// <summary>Teaches <paramref name="question"/> for the answer unit of <paramref name="source"/> and
    /// <paramref name="section"/> whose text is <paramref name="passage"/> in today's index.</summary>
    public async Task<TeachResult> TeachAsync(string? question, string? source, string? section, string? passage, string actor, CancellationToken ct = default)
    {
        if (Clean(question) is not { } text)
        {
            return new TeachResult(TeachStatus.InvalidQuestion);
        }

        var unit = knowledge.Current.Knowledge.Articles
            .Where(a => a.Source == source)
            .SelectMany(a => a.Passages)
            .FirstOrDefault(p => p.Section == section && p.Text == passage);
        if (unit is null)
        {
            return new TeachResult(TeachStatus.NoSuchPassage);
        }

        await _gate.WaitAsync(ct);
        try
        {
            var all = await store.ListTaughtAsync(ct);
            if (all.FirstOrDefault(t => t.Source == unit.Source && t.Section == unit.Section && t.Passage == unit.Text
                && string.Equals(t.Question, text, StringComparison.OrdinalIgnoreCase)) is { } existing)
            {
                return new TeachResult(TeachStatus.AlreadyTaught, existing);
            }

            var taught = await store.AddTaughtAsync(text, unit, actor, ct);
            knowledge.UseTaught([.. all, taught]);
            await audit.AppendAsync(new AuditRecord(actor, AuditActions.QuestionTaught, "done", $"taught question {taught.Id} for {unit.Source} § {unit.Section}"), ct);
            return new TeachResult(TeachStatus.Taught, taught);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a taught question; the bot answers as before it was taught from the next message. Null when there was none.</summary>
    public async Task<TaughtQuestion?> RemoveAsync(long id, string actor, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var removed = await store.RemoveTaughtAsync(id, ct);
            if (removed is not null)
            {
                knowledge.UseTaught(await store.ListTaughtAsync(ct));
                await audit.AppendAsync(new AuditRecord(actor, AuditActions.TaughtQuestionRemoved, "done", $"taught question {id} (taught by {removed.TaughtBy})"), ct);
            }

            return removed;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<IReadOnlyList<TaughtQuestion>> ListAsync(CancellationToken ct = default) => store.ListTaughtAsync(ct);

    /// <summary>Lists a missed question for whoever writes content; null when it is not a question a patient could have sent.</summary>
    public async Task<ArticleRequest?> NeedsArticleAsync(string? question, string actor, CancellationToken ct = default)
    {
        if (Clean(question) is not { } text)
        {
            return null;
        }

        var request = await store.AddArticleRequestAsync(text, actor, ct);
        await audit.AppendAsync(new AuditRecord(actor, AuditActions.ArticleRequested, "done", $"article request {request.Id}"), ct);
        return request;
    }

    public Task<IReadOnlyList<ArticleRequest>> ArticleRequestsAsync(CancellationToken ct = default) => store.ListArticleRequestsAsync(ct);

    public async Task<bool> ResolveArticleRequestAsync(long id, string actor, CancellationToken ct = default)
    {
        var removed = await store.RemoveArticleRequestAsync(id, ct);
        if (removed)
        {
            await audit.AppendAsync(new AuditRecord(actor, AuditActions.ArticleRequestClosed, "done", $"article request {id}"), ct);
        }

        return removed;
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} taught questions are part of the index")]
    private static partial void LogLoaded(ILogger logger, int count);
}
