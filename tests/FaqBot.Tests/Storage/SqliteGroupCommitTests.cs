using FaqBot.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace FaqBot.Tests.Storage;

/// <summary>
/// <see cref="SqliteDatabase.WriteAsync"/>: writes that arrive while a commit runs are committed together, each in its
/// own savepoint; a caller returns only once its write is committed.
/// </summary>
public sealed class SqliteGroupCommitTests
{
    [Fact]
    public async Task Writes_queued_behind_a_commit_share_one_transaction_and_a_failing_one_is_undone_alone()
    {
        await using var kit = await StorageKit.SqliteAsync();
        var database = kit.Sqlite!;
        var (first, firstTransaction, release) = await HoldTheWriterAsync(database);
        SqliteTransaction? aTransaction = null, cTransaction = null;

        // Queued while the first commit is still open.
        var a = database.WriteAsync(async (connection, transaction) =>
        {
            aTransaction = transaction;
            await InsertAsync(connection, transaction, "a");
            return "a";
        });
        var b = database.WriteAsync<string>(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, "b");
            throw new InvalidOperationException("b fails after writing");
        });
        var c = database.WriteAsync(async (connection, transaction) =>
        {
            cTransaction = transaction;
            await InsertAsync(connection, transaction, "c");
            return "c";
        });

        Assert.Empty(await RowsAsync(database)); // nothing is visible before its commit
        release.SetResult();

        Assert.Equal(1, await first);
        Assert.Equal("a", await a);
        Assert.Equal(["first", "a"], (await RowsAsync(database)).Take(2)); // committed when the caller returns
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => b);
        Assert.Equal("b fails after writing", failure.Message);
        Assert.Equal("c", await c);

        Assert.Equal(["first", "a", "c"], await RowsAsync(database));
        Assert.NotNull(aTransaction);
        Assert.Same(aTransaction, cTransaction);
        Assert.NotSame(firstTransaction, aTransaction);
    }

    [Fact]
    public async Task A_write_cancelled_while_it_waits_for_its_turn_changes_nothing()
    {
        await using var kit = await StorageKit.SqliteAsync();
        var database = kit.Sqlite!;
        var (first, _, release) = await HoldTheWriterAsync(database);

        using var cancel = new CancellationTokenSource();
        var cancelled = database.WriteAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, "cancelled");
            return 2;
        }, cancel.Token);
        await cancel.CancelAsync();
        release.SetResult();

        Assert.Equal(1, await first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(["first"], await RowsAsync(database));
    }

    [Fact]
    public async Task A_write_that_fails_alone_is_undone_and_the_next_write_is_committed()
    {
        await using var kit = await StorageKit.SqliteAsync();
        var database = kit.Sqlite!;
        await database.ExecuteAsync("CREATE TABLE scratch (v TEXT NOT NULL)");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync<int>(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, "lost");
            throw new InvalidOperationException("fails after writing");
        }));
        Assert.Equal("fails after writing", failure.Message);
        Assert.Equal(2, await database.WriteAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, "kept");
            return 2;
        }));

        Assert.Equal(["kept"], await RowsAsync(database));
    }

    [Fact]
    public async Task Many_concurrent_messages_to_one_conversation_are_all_stored_in_order()
    {
        await using var kit = await StorageKit.SqliteAsync();
        var store = kit.Conversations();
        await store.CreateAsync(StorageKit.State("c1"));

        var stored = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            store.AppendIncomingAsync("c1", new FaqBot.Schema.Activity { Type = "message", Text = $"message {i}" }))));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), stored.Select(s => s.Sequence).Order());
        var read = await store.GetActivitiesAsync("c1", 0);
        Assert.Equal(50, read.Count);
        Assert.Equal(stored.Select(s => s.Activity.Text).Order(), read.Select(r => r.Activity.Text).Order());
        Assert.Equal(50, (await store.ListUnprocessedAsync()).Count);
    }

    [Fact]
    public async Task Commits_run_on_one_connection_whose_page_cache_outlives_them_while_readers_come_and_go()
    {
        await using var kit = await StorageKit.SqliteAsync();
        var database = kit.Sqlite!;
        await database.ExecuteAsync("CREATE TABLE scratch (v TEXT NOT NULL)");
        var first = await database.WriteAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, "first");
            return connection.Handle!;
        });

        // A reader holds a pooled connection open (as requests do under load) while the next commit runs.
        await using var reader = await database.OpenAsync();
        Assert.Single(await RowsAsync(database));
        var (second, misses) = await database.WriteAsync(async (connection, transaction) =>
        {
            SQLitePCL.raw.sqlite3_db_status(connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_MISS, out _, out _, 1);
            await InsertAsync(connection, transaction, "second");
            SQLitePCL.raw.sqlite3_db_status(connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_MISS, out var missed, out _, 0);
            return (connection.Handle!, missed);
        });

        Assert.Same(first, second);
        Assert.Equal(0, misses); // every page the insert needed was still cached from the first commit
        Assert.Equal(["first", "second"], await RowsAsync(database));
    }

    [Fact]
    public async Task A_prepared_command_is_reused_by_later_writes_with_its_parameters_cleared_and_only_inside_a_write()
    {
        await using var kit = await StorageKit.SqliteAsync();
        var database = kit.Sqlite!;
        await database.ExecuteAsync("CREATE TABLE scratch (v TEXT NOT NULL)");
        const string Insert = "INSERT INTO scratch (v) VALUES ($v)";

        var (first, firstTransaction) = await database.WriteAsync(async (_, transaction) =>
        {
            var command = database.Prepared(transaction, Insert);
            command.Parameters.AddWithValue("$v", "one");
            await command.ExecuteNonQueryAsync();
            return (command, transaction);
        });
        var (second, parametersBefore) = await database.WriteAsync(async (_, transaction) =>
        {
            var command = database.Prepared(transaction, Insert);
            var before = command.Parameters.Count;
            command.Parameters.AddWithValue("$v", "two");
            await command.ExecuteNonQueryAsync();
            return (command, before);
        });

        Assert.Same(first, second);
        Assert.Equal(0, parametersBefore);
        Assert.Equal(["one", "two"], await RowsAsync(database));
        Assert.Throws<InvalidOperationException>(() => database.Prepared(firstTransaction, Insert)); // its commit is over
    }

    [Fact]
    public async Task Reads_reuse_a_held_connection_and_its_prepared_command_and_a_failed_read_gives_its_connection_up()
    {
        await using var kit = await StorageKit.SqliteAsync();
        var database = kit.Sqlite!;
        await database.ExecuteAsync("CREATE TABLE scratch (v TEXT NOT NULL)");
        await database.ExecuteAsync("INSERT INTO scratch (v) VALUES ('one'), ('two')");
        const string Select = "SELECT v FROM scratch WHERE rowid = $id";

        Task<(SqliteCommand Command, int ParametersBefore, object? Value)> ReadAsync(long id, bool fail = false) =>
            database.ReadAsync(Select, async command =>
            {
                var before = command.Parameters.Count;
                command.Parameters.AddWithValue("$id", id);
                var value = await command.ExecuteScalarAsync();
                return fail ? throw new InvalidOperationException("the read fails") : (command, before, value);
            });

        var first = await ReadAsync(1);
        var second = await ReadAsync(2);
        Assert.Equal(("one", "two"), (first.Value, second.Value));
        Assert.Same(first.Command, second.Command); // one connection held, its statement prepared once
        Assert.Equal(0, second.ParametersBefore);

        await Assert.ThrowsAsync<InvalidOperationException>(() => ReadAsync(1, fail: true));
        var afterFailure = await ReadAsync(1);
        Assert.NotSame(first.Command, afterFailure.Command); // the failed read's connection was closed, not given back
        Assert.Equal("one", afterFailure.Value);
    }

    /// <summary>
    /// Creates the scratch table and starts a write ("first") that keeps its commit open until released, so the writes
    /// started meanwhile queue behind it.
    /// </summary>
    private static async Task<(Task<int> First, SqliteTransaction Transaction, TaskCompletionSource Release)> HoldTheWriterAsync(SqliteDatabase database)
    {
        await database.ExecuteAsync("CREATE TABLE scratch (v TEXT NOT NULL)");
        var started = new TaskCompletionSource<SqliteTransaction>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = database.WriteAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, "first");
            started.SetResult(transaction);
            await release.Task;
            return 1;
        });
        return (first, await started.Task, release);
    }

    private static async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, string value)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO scratch (v) VALUES ($v)";
        command.Parameters.AddWithValue("$v", value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The committed rows, read on a connection of their own.</summary>
    private static async Task<List<string>> RowsAsync(SqliteDatabase database)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT v FROM scratch ORDER BY rowid";
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
