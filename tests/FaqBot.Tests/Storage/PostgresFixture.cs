using System.Diagnostics;
using FaqBot.Tests.Infrastructure;
using Npgsql;

namespace FaqBot.Tests.Storage;

/// <summary>
/// A real PostgreSQL for the tests: the server named by <c>FAQBOT_TEST_POSTGRES</c> (as <c>.ci/run</c> sets it), else a
/// throwaway cluster started by <c>tests/postgres-cluster.sh</c> for this test run and stopped at its end. When neither
/// works the PostgreSQL tests fail with <see cref="Needed"/>: they are never skipped silently.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string Needed = "PostgreSQL is needed: install Debian's postgresql package or set FAQBOT_TEST_POSTGRES";

    private string? _clusterDir;
    private string? _adminConnectionString;
    private string? _error;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("FAQBOT_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _adminConnectionString = configured.Trim();
            return;
        }

        var dir = Path.Combine(Path.GetTempPath(), $"faqbot-test-pg.{Environment.ProcessId}.{Guid.NewGuid():N}"[..40]);
        var script = Path.Combine(TestPaths.Root, "tests", "postgres-cluster.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("start");
        start.ArgumentList.Add(dir);
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            _clusterDir = dir;
            if (process.ExitCode != 0)
            {
                _error = $"{Needed} ({script} start failed: {(await errors).Trim()})";
                return;
            }

            _adminConnectionString = (await output).Trim();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
        {
            _error = $"{Needed} ({ex.Message})";
        }
    }

    /// <summary>A fresh, empty database of its own (a unique name), for one test class.</summary>
    public async Task<string> CreateDatabaseAsync(string label)
    {
        if (_adminConnectionString is null)
        {
            throw new InvalidOperationException(_error ?? Needed);
        }

        var name = $"t_{new string(label.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(30).ToArray())}_{Guid.NewGuid():N}";
        try
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException($"{Needed} (cannot create a database at {_adminConnectionString}: {ex.Message})", ex);
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, MaxPoolSize = 20 }.ToString();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_clusterDir is not null)
        {
            var stop = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            stop.ArgumentList.Add(Path.Combine(TestPaths.Root, "tests", "postgres-cluster.sh"));
            stop.ArgumentList.Add("stop");
            stop.ArgumentList.Add(_clusterDir);
            using var process = Process.Start(stop)!;
            await process.WaitForExitAsync();
        }
    }
}

/// <summary>The test classes that share the one PostgreSQL server (each with a database of its own).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
