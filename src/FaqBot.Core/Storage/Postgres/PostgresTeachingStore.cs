using System.Data.Common;
using FaqBot.Knowledge;
using FaqBot.Teaching;

namespace FaqBot.Storage.Postgres;

/// <summary>Taught questions and article requests in PostgreSQL.</summary>
public sealed class PostgresTeachingStore(PostgresDatabase database, TimeProvider time) : ITeachingStore
{
    private const string TaughtColumns = "id, question, source, section, passage, taught_by, taught_at";

    public async Task<TaughtQuestion> AddTaughtAsync(string question, Passage passage, string taughtBy, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(passage);
        var now = time.GetUtcNow();
        var id = await database.ScalarAsync<long>(
            "INSERT INTO taught_questions (question, source, section, passage, taught_by, taught_at) VALUES (@q, @s, @sec, @p, @by, @at) RETURNING id",
            new { q = question, s = passage.Source, sec = passage.Section, p = passage.Text, by = taughtBy, at = now.Utc() },
            ct);
        return new TaughtQuestion(id, question, passage.Source, passage.Section, passage.Text, taughtBy, now);
    }

    public async Task<IReadOnlyList<TaughtQuestion>> ListTaughtAsync(CancellationToken ct = default) =>
        await database.QueryAsync($"SELECT {TaughtColumns} FROM taught_questions ORDER BY id", null, ReadTaught, ct);

    public async Task<TaughtQuestion?> RemoveTaughtAsync(long id, CancellationToken ct = default) =>
        (await database.QueryAsync($"DELETE FROM taught_questions WHERE id = @id RETURNING {TaughtColumns}", new { id }, ReadTaught, ct)).SingleOrDefault();

    public async Task<ArticleRequest> AddArticleRequestAsync(string question, string requestedBy, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var id = await database.ScalarAsync<long>(
            "INSERT INTO article_requests (question, requested_by, requested_at) VALUES (@q, @by, @at) RETURNING id",
            new { q = question, by = requestedBy, at = now.Utc() },
            ct);
        return new ArticleRequest(id, question, requestedBy, now);
    }

    public async Task<IReadOnlyList<ArticleRequest>> ListArticleRequestsAsync(CancellationToken ct = default) =>
        await database.QueryAsync(
            "SELECT id, question, requested_by, requested_at FROM article_requests ORDER BY id",
            null,
            r => new ArticleRequest(r.GetInt64(0), r.GetString(1), r.GetString(2), r.At(3)),
            ct);

    public async Task<bool> RemoveArticleRequestAsync(long id, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM article_requests WHERE id = @id", new { id }, ct) == 1;

    private static TaughtQuestion ReadTaught(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.At(6));
}
