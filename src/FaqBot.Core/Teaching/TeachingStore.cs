using System.Globalization;
using FaqBot.Knowledge;

namespace FaqBot.Teaching;

/// <summary>A missed question whose honest answer is not in the articles, listed for whoever writes content.</summary>
public sealed record ArticleRequest(long Id, string Question, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>What staff taught the bot, and the questions that need an article.</summary>
public interface ITeachingStore
{

    Task<TaughtQuestion> AddTaughtAsync(string question, Passage passage, string taughtBy, CancellationToken ct = default);

    Task<IReadOnlyList<TaughtQuestion>> ListTaughtAsync(CancellationToken ct = default);

    /// <summary>Removes one taught question; null when there was none with that id.</summary>
    Task<TaughtQuestion?> RemoveTaughtAsync(long id, CancellationToken ct = default);

    Task<ArticleRequest> AddArticleRequestAsync(string question, string requestedBy, CancellationToken ct = default);

    Task<IReadOnlyList<ArticleRequest>> ListArticleRequestsAsync(CancellationToken ct = default);

    Task<bool> RemoveArticleRequestAsync(long id, CancellationToken ct = default);
}
