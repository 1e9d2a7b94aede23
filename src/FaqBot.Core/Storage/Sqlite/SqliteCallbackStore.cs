using System.Globalization;
using FaqBot.Handoff;
using Microsoft.Data.Sqlite;

namespace FaqBot.Storage.Sqlite;

public sealed class SqliteCallbackStore(SqliteDatabase database) : ICallbackStore
{
    private const string Columns = "id, conversation_id, name, contact, consent, created_at, done_at, done_by";

    public async Task<bool> AddAsync(CallbackRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO callbacks ({Columns}) SELECT $id, $c, $name, $contact, $consent, $created, NULL, NULL
            WHERE NOT EXISTS (SELECT 1 FROM callbacks WHERE conversation_id = $c AND name = $name AND contact = $contact AND done_at IS NULL)
            """;
        command.Parameters.AddWithValue("$id", request.Id);
        command.Parameters.AddWithValue("$c", request.ConversationId);
        command.Parameters.AddWithValue("$name", request.Name);
        command.Parameters.AddWithValue("$contact", request.Contact);
        command.Parameters.AddWithValue("$consent", request.Consent ? 1 : 0);
        command.Parameters.AddWithValue("$created", Iso(request.CreatedAt));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<CallbackRequest?> GetAsync(string id, CancellationToken ct = default)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM callbacks WHERE id = $id", ("$id", id), ct);
        return found.Count == 1 ? found[0] : null;
    }

    public Task<IReadOnlyList<CallbackRequest>> ListAsync(int limit = 200, CancellationToken ct = default) => QueryAsync(
        $"SELECT {Columns} FROM callbacks ORDER BY done_at IS NOT NULL, CASE WHEN done_at IS NULL THEN created_at END, done_at DESC LIMIT $limit",
        ("$limit", limit),
        ct);

    public async Task<bool> MarkDoneAsync(string id, string doneBy, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE callbacks SET done_at = $at, done_by = $by WHERE id = $id AND done_at IS NULL";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$by", doneBy);
        command.Parameters.AddWithValue("$at", Iso(at));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<bool> MarkOpenAsync(string id, CancellationToken ct = default) =>
        await database.ExecuteAsync("UPDATE callbacks SET done_at = NULL, done_by = NULL WHERE id = $id AND done_at IS NOT NULL", ct, ("$id", id)) == 1;

    private async Task<IReadOnlyList<CallbackRequest>> QueryAsync(string sql, (string Name, object Value) parameter, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        var result = new List<CallbackRequest>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new CallbackRequest(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt64(4) == 1,
                Parse(reader.GetString(5)),
                reader.IsDBNull(6) ? null : Parse(reader.GetString(6)),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return result;
    }

    internal static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    internal static DateTimeOffset Parse(string t) => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture);
}
