using System.Globalization;
using FaqBot.Knowledge;
using FaqBot.Teaching;
using Microsoft.Data.Sqlite;

namespace FaqBot.Storage.Sqlite;

public sealed class SqliteTeachingStore(SqliteDatabase database, TimeProvider time) : ITeachingStore
{
    public async Task<TaughtQuestion> AddTaughtAsync(string question, Passage passage, string taughtBy, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(passage);
        var now = time.GetUtcNow();
        var id = (long)(await database.ScalarAsync(
            "INSERT INTO taught_questions (question, source, section, passage, taught_by, taught_at) VALUES ($q, $s, $sec, $p, $by, $at) RETURNING id",
            ct,
            ("$q", question),
            ("$s", passage.Source),
            ("$sec", passage.Section),
            ("$p", passage.Text),
            ("$by", taughtBy),
            ("$at", Iso(now))))!;
        return new TaughtQuestion(id, question, passage.Source, passage.Section, passage.Text, taughtBy, now);
    }

    public async Task<IReadOnlyList<TaughtQuestion>> ListTaughtAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, question, source, section, passage, taught_by, taught_at FROM taught_questions ORDER BY id";
        var result = new List<TaughtQuestion>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(ReadTaught(reader));
        }

        return result;
    }

    public async Task<TaughtQuestion?> RemoveTaughtAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM taught_questions WHERE id = $id RETURNING id, question, source, section, passage, taught_by, taught_at";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadTaught(reader) : null;
    }

    public async Task<ArticleRequest> AddArticleRequestAsync(string question, string requestedBy, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var id = (long)(await database.ScalarAsync(
            "INSERT INTO article_requests (question, requested_by, requested_at) VALUES ($q, $by, $at) RETURNING id",
            ct,
            ("$q", question),
            ("$by", requestedBy),
            ("$at", Iso(now))))!;
        return new ArticleRequest(id, question, requestedBy, now);
    }

    public async Task<IReadOnlyList<ArticleRequest>> ListArticleRequestsAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, question, requested_by, requested_at FROM article_requests ORDER BY id";
        var result = new List<ArticleRequest>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new ArticleRequest(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture)));
        }

        return result;
    }

    public async Task<bool> RemoveArticleRequestAsync(long id, CancellationToken ct = default) =>
        await database.ExecuteAsync("DELETE FROM article_requests WHERE id = $id", ct, ("$id", id)) == 1;

    private static TaughtQuestion ReadTaught(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture));

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
