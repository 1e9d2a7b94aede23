using Npgsql;

namespace FaqBot.Tests.Storage;

/// <summary>The fixture gives each test class a real, empty database of its own on a real server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFixtureTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Each_database_is_new_and_separate()
    {
        var first = await postgres.CreateDatabaseAsync(nameof(PostgresFixtureTests));
        var second = await postgres.CreateDatabaseAsync(nameof(PostgresFixtureTests));
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE marker (id int)", connection);
            await create.ExecuteNonQueryAsync();
        }

        await using var other = new NpgsqlConnection(second);
        await other.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_name = 'marker'", other);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
        await using var version = new NpgsqlCommand("SHOW server_version_num", other);
        Assert.True(int.Parse((string)(await version.ExecuteScalarAsync())!, System.Globalization.CultureInfo.InvariantCulture) >= 130000);
    }
}
