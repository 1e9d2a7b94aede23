using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaqBot.Storage.Postgres;
using FaqBot.Storage.Sqlite;
using Npgsql;

namespace FaqBot.Storage;

/// <summary>
/// Moving a clinic between databases: every table as provider-neutral JSON lines (a header line, then one
/// <c>{"table":..,"row":{..}}</c> per row, tables in a fixed order, rows in key order; times as UTC ISO-8601 with
/// microseconds, the precision both databases keep). <see cref="ImportAsync"/> loads such a file into an empty, migrated
/// database of either provider, so SQLite -> file -> PostgreSQL -> file gives the same file.
/// </summary>
public sealed class TableDump(SqliteDatabase? sqlite = null, PostgresDatabase? postgres = null)
{
    public const string Format = "faqbot-export";
    public const int Version = 1;

    private enum Kind
    {
        Text,
        Integer,
        Boolean,
        Time,
    }

    private sealed record Table(string Name, string OrderBy, (string Column, Kind Kind)[] Columns, bool Identity = false);

    private static readonly Table[] Tables =
    [
        new("conversations", "id", [("id", Kind.Text), ("user_id", Kind.Text), ("handoff", Kind.Text), ("priority", Kind.Integer), ("escalated_at", Kind.Time), ("created_at", Kind.Time), ("updated_at", Kind.Time), ("version", Kind.Integer), ("state_json", Kind.Text)]),
        new("activities", "conversation_id, seq", [("conversation_id", Kind.Text), ("seq", Kind.Integer), ("ts", Kind.Time), ("json", Kind.Text)]),
        new("turns", "conversation_id, seq", [("conversation_id", Kind.Text), ("seq", Kind.Integer), ("processed_at", Kind.Time), ("outcome", Kind.Text), ("reason", Kind.Text), ("claimed_by", Kind.Text), ("lease_until", Kind.Time)]),
        new("feedback", "id", [("id", Kind.Integer), ("conversation_id", Kind.Text), ("activity_id", Kind.Text), ("reaction", Kind.Text), ("question", Kind.Text), ("outcome", Kind.Text), ("cited_json", Kind.Text), ("at", Kind.Time)], Identity: true),
        new("callbacks", "id", [("id", Kind.Text), ("conversation_id", Kind.Text), ("name", Kind.Text), ("contact", Kind.Text), ("consent", Kind.Boolean), ("created_at", Kind.Time), ("done_at", Kind.Time), ("done_by", Kind.Text)]),
        new("staff", "id", [("id", Kind.Text), ("email", Kind.Text), ("name", Kind.Text), ("role", Kind.Text), ("password_hash", Kind.Text), ("disabled", Kind.Boolean), ("failed_sign_ins", Kind.Integer), ("lockout_end", Kind.Time), ("created_at", Kind.Time)]),
        new("staff_sessions", "token_hash", [("token_hash", Kind.Text), ("staff_id", Kind.Text), ("csrf_token", Kind.Text), ("created_at", Kind.Time), ("expires_at", Kind.Time)]),
        new("staff_notes", "id", [("id", Kind.Integer), ("conversation_id", Kind.Text), ("staff_id", Kind.Text), ("staff_name", Kind.Text), ("text", Kind.Text), ("at", Kind.Time)], Identity: true),
        new("saved_replies", "id", [("id", Kind.Text), ("title", Kind.Text), ("text", Kind.Text), ("updated_at", Kind.Time), ("updated_by", Kind.Text)]),
        new("taught_questions", "id", [("id", Kind.Integer), ("question", Kind.Text), ("source", Kind.Text), ("section", Kind.Text), ("passage", Kind.Text), ("taught_by", Kind.Text), ("taught_at", Kind.Time)], Identity: true),
        new("article_requests", "id", [("id", Kind.Integer), ("question", Kind.Text), ("requested_by", Kind.Text), ("requested_at", Kind.Time)], Identity: true),
        new("audit_log", "id", [("id", Kind.Integer), ("at", Kind.Time), ("actor", Kind.Text), ("action", Kind.Text), ("outcome", Kind.Text), ("target", Kind.Text), ("address", Kind.Text)], Identity: true),
        new("sign_in_throttles", "key", [("key", Kind.Text), ("failures", Kind.Integer), ("last_failure_at", Kind.Time), ("blocked_until", Kind.Time)]),
        new("bot_connector_conversations", "conversation_id", [("conversation_id", Kind.Text), ("reference_json", Kind.Text)]),
        new("bot_connector_activities", "local_id", [("local_id", Kind.Text), ("channel_id", Kind.Text)]),
    ];

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    private static JsonNode? Parse(string line, int lineNumber)
    {
        try
        {
            return JsonNode.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Line {lineNumber} is not JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Writes every table; returns the number of rows written.</summary>
    public async Task<long> ExportAsync(TextWriter output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var connection = await OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct); // one consistent snapshot
        await output.WriteLineAsync(new JsonObject { ["format"] = Format, ["version"] = Version }.ToJsonString(Compact));
        long rows = 0;
        foreach (var table in Tables)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(c => c.Column))} FROM {table.Name} ORDER BY {OrderBy(table)}";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var row = new JsonObject();
                for (var i = 0; i < table.Columns.Length; i++)
                {
                    row[table.Columns[i].Column] = Read(reader, i, table.Columns[i].Kind);
                }

                await output.WriteLineAsync(new JsonObject { ["table"] = table.Name, ["row"] = row }.ToJsonString(Compact));
                rows++;
            }
        }

        return rows;
    }

    /// <summary>Loads an export into this (migrated, empty) database in one transaction; returns the number of rows.</summary>
    public async Task<long> ImportAsync(TextReader input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var header = await input.ReadLineAsync(ct) is { } first ? Parse(first, 1) : null;
        if (header is not JsonObject || header["format"] is not JsonValue format || !format.TryGetValue<string>(out var name) || name != Format
            || header["version"] is not JsonValue version || !version.TryGetValue<int>(out var number) || number != Version)
        {
            throw new InvalidDataException($"Not a FaqBot export (version {Version}): line 1 is not its header.");
        }

        var byName = Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        await using var connection = await OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var table in Tables)
        {
            await using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = $"SELECT count(*) FROM {table.Name}";
            if (Convert.ToInt64(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0)
            {
                throw new InvalidOperationException($"The database is not empty (table {table.Name} has rows); import needs an empty database.");
            }
        }

        long rows = 0;
        var lineNumber = 1;
        while (await input.ReadLineAsync(ct) is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (Parse(line, lineNumber) is not JsonObject { } node || node["table"] is not JsonValue tableName || !tableName.TryGetValue<string>(out var tableText)
                || node["row"] is not JsonObject row)
            {
                throw new InvalidDataException($"Line {lineNumber} is not a table row (\"table\" and \"row\").");
            }

            var table = byName.GetValueOrDefault(tableText) ?? throw new InvalidDataException($"Line {lineNumber}: unknown table {tableText}.");
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            var columns = table.Columns.Where(c => row.ContainsKey(c.Column)).ToList();
            insert.CommandText = $"INSERT INTO {table.Name} ({string.Join(", ", columns.Select(c => c.Column))}) {(postgres is not null && table.Identity ? "OVERRIDING SYSTEM VALUE " : "")}VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
            for (var i = 0; i < columns.Count; i++)
            {
                var parameter = insert.CreateParameter();
                parameter.ParameterName = $"p{i}";
                parameter.Value = Write(row[columns[i].Column], columns[i].Kind);
                insert.Parameters.Add(parameter);
            }

            await insert.ExecuteNonQueryAsync(ct);
            rows++;
        }

        if (postgres is not null)
        {
            // What PostgreSQL keeps beside the portable columns: each conversation's last sequence and time (the next
            // append continues from them), its owner, and the identity counters.
            await using var fix = connection.CreateCommand();
            fix.Transaction = transaction;
            fix.CommandText = string.Join('\n', new[]
            {
                """
                UPDATE conversations c SET last_seq = a.seq, last_ts = a.ts
                FROM (SELECT conversation_id, max(seq) AS seq, max(ts) AS ts FROM activities GROUP BY conversation_id) a WHERE a.conversation_id = c.id;
                UPDATE conversations SET owner_id = state_json::jsonb -> 'owner' ->> 'id';
                """,
            }.Concat(Tables.Where(t => t.Identity).Select(t => $"SELECT setval(pg_get_serial_sequence('{t.Name}', 'id'), coalesce((SELECT max(id) FROM {t.Name}), 0) + 1, false);")));
            await fix.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return rows;
    }

    /// <summary>Key order by bytes in both databases (SQLite's BINARY, PostgreSQL's "C"), whatever the server's collation.</summary>
    private string OrderBy(Table table) => string.Join(", ", table.OrderBy.Split(", ").Select(column =>
        postgres is not null && table.Columns.Single(c => c.Column == column).Kind == Kind.Text ? $"{column} COLLATE \"C\"" : column));

    private async Task<DbConnection> OpenAsync(CancellationToken ct) =>
        postgres is not null ? await postgres.OpenAsync(ct)
        : sqlite is not null ? await sqlite.OpenAsync(ct)
        : throw new InvalidOperationException("No database is configured.");

    private JsonValue? Read(DbDataReader reader, int i, Kind kind)
    {
        if (reader.IsDBNull(i))
        {
            return null;
        }

        return kind switch
        {
            Kind.Text => JsonValue.Create(reader.GetString(i)),
            Kind.Integer => JsonValue.Create(Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture)),
            Kind.Boolean => JsonValue.Create(postgres is not null ? reader.GetBoolean(i) : reader.GetInt64(i) != 0),
            _ => JsonValue.Create(Portable(postgres is not null
                ? reader.GetFieldValue<DateTimeOffset>(i)
                : DateTimeOffset.Parse(reader.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))),
        };
    }

    private object Write(JsonNode? value, Kind kind)
    {
        if (value is null)
        {
            return DBNull.Value;
        }

        return kind switch
        {
            Kind.Text => value.GetValue<string>(),
            Kind.Integer => value.GetValue<long>(),
            Kind.Boolean => postgres is not null ? value.GetValue<bool>() : (value.GetValue<bool>() ? 1L : 0L),
            _ => DateTimeOffset.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) is var at && postgres is not null
                ? at.ToUniversalTime()
                : at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>UTC, microseconds (what PostgreSQL keeps), one fixed format.</summary>
    private static string Portable(DateTimeOffset at) =>
        new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
