using FaqBot.Storage;
using Microsoft.Extensions.Options;

namespace FaqBot.Commands;

/// <summary><c>migrate</c>: applies the schema migrations the configured database lacks (as start-up does) and lists them.</summary>
public sealed class MigrateCommand(string[] args) : ICommand
{
    public async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (args.Length > 0)
        {
            await Console.Error.WriteLineAsync("usage: FaqBot migrate   (the database is Storage:Provider and ConnectionStrings:FaqBot)");
            return 2;
        }

        var provider = services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider;
        var applied = await services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
        foreach (var migration in applied)
        {
            await Console.Out.WriteLineAsync($"applied {migration.Name}");
        }

        var latest = SchemaMigrator.For(provider)[^1];
        await Console.Out.WriteLineAsync($"{provider} schema is at version {latest.Version} ({latest.Name}); {applied.Count} migration(s) applied now.");
        return 0;
    }
}
