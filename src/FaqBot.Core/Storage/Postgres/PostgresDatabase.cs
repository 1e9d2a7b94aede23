using System.Data.Common;
using Dapper;
using Npgsql;

namespace FaqBot.Storage.Postgres;

/// <summary>The PostgreSQL database: one Npgsql data source (its connection pool) for the whole process.</summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _source;

    public PostgresDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _source = NpgsqlDataSource.Create(connectionString);
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource => _source;

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct = default) => _source.OpenConnectionAsync(ct);

    /// <summary>Runs one statement (Dapper parameters: an anonymous object); returns the rows changed.</summary>
    public async Task<int> ExecuteAsync(string sql, object? parameters = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
    }

    public async Task<T?> ScalarAsync<T>(string sql, object? parameters = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: ct));
    }

    /// <summary>The rows of one query, each read by <paramref name="read"/> (times as <see cref="DateTimeOffset"/> in UTC).</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters, Func<DbDataReader, T> read, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var connection = await OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        var result = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            result.Add(read(reader));
        }

        return result;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    public void Dispose() => _source.Dispose();
}

/// <summary>Reading PostgreSQL rows tersely.</summary>
internal static class Rows
{
    public static DateTimeOffset At(this DbDataReader reader, int i) => reader.GetFieldValue<DateTimeOffset>(i);

    public static DateTimeOffset? AtOrNull(this DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);

    public static string? TextOrNull(this DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    /// <summary>A time as PostgreSQL takes it for <c>timestamptz</c>: UTC.</summary>
    public static DateTimeOffset Utc(this DateTimeOffset at) => at.ToUniversalTime();

    public static DateTimeOffset? Utc(this DateTimeOffset? at) => at?.ToUniversalTime();
}
