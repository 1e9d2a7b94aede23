using System.Diagnostics;
using Npgsql;

namespace FaqBot.Bench;

/// <summary>
/// The PostgreSQL a <c>load --provider postgres</c> run uses: a fresh database on the server of <c>--connection</c>, or,
/// without it, a throwaway cluster started by <c>tests/postgres-cluster.sh</c> (initdb, loopback only) and removed after.
/// </summary>
public sealed class BenchPostgres : IAsyncDisposable
{
    private readonly string? _clusterDir;

    private BenchPostgres(string connectionString, string? clusterDir)
    {
        ConnectionString = connectionString;
        _clusterDir = clusterDir;
    }

    /// <summary>The fresh database's connection string.</summary>
    public string ConnectionString { get; }

    public static async Task<BenchPostgres> CreateAsync(string? connection)
    {
        string? clusterDir = null;
        if (string.IsNullOrWhiteSpace(connection))
        {
            clusterDir = Path.Combine(Path.GetTempPath(), "faqbot-bench", "pg-" + Guid.NewGuid().ToString("N")[..12]);
            var (code, output, errors) = await RunScriptAsync("start", clusterDir);
            if (code != 0)
            {
                throw new InvalidOperationException($"tests/postgres-cluster.sh start failed: {errors}");
            }

            connection = output.Trim();
        }

        var name = "faqbot_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(connection))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new BenchPostgres(new NpgsqlConnectionStringBuilder(connection) { Database = name }.ToString(), clusterDir);
    }

    /// <summary>The server settings that make FaqBot use this database.</summary>
    public IReadOnlyDictionary<string, string> Environment() => new Dictionary<string, string>
    {
        ["Storage__Provider"] = "Postgres",
        ["ConnectionStrings__FaqBot"] = ConnectionString,
    };

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_clusterDir is not null)
        {
            await RunScriptAsync("stop", _clusterDir);
        }
    }

    private static async Task<(int Code, string Output, string Errors)> RunScriptAsync(string verb, string dir)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(Bench.Root, "tests", "postgres-cluster.sh"));
        info.ArgumentList.Add(verb);
        info.ArgumentList.Add(dir);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }
}
