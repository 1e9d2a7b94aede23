using FaqBot.Bench;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Storage;

namespace FaqBot.Tests.Bench;

/// <summary>The load scenario on PostgreSQL (<c>load --provider postgres</c>), run once, small: it answers and produces its figures.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLoadScenarioTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Load_scenario_on_a_fresh_postgres_database_gets_every_reply_over_the_websockets()
    {
        await using var database = await BenchPostgres.CreateAsync(await postgres.CreateDatabaseAsync(nameof(PostgresLoadScenarioTests)));
        var settings = database.Environment().ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);
        Assert.Equal("Postgres", settings["Storage:Provider"]);
        using var server = new FaqBotServer(settings);
        await using var run = await LoadRun.OpenAsync(server.BaseAddress, conversations: 2, crisisConversations: 1);

        var figures = await run.StepAsync(["can I drive afterward?", "what does it feel like?", "hello"], rate: 8, seconds: 1, drainSeconds: 60, server: null);

        Assert.Equal(8, figures.Sent);
        Assert.Equal(0, figures.Errors);
        Assert.Equal(8, figures.Replied);
        Assert.True(figures.CrisisSent > 0);
        Assert.Equal(figures.CrisisSent, figures.CrisisReplied);
        Assert.True(figures.P50 > 0 && figures.P99 >= figures.P50);
    }
}
