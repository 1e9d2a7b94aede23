using FaqBot.Conversation;
using FaqBot.Storage;
using FaqBot.Storage.Postgres;

namespace FaqBot.Hosting;

public static class FeedSetup
{
    /// <summary>
    /// With PostgreSQL (several instances may share the database): the listener that carries other instances' activities
    /// and queue changes into this process's <see cref="ConversationFeed"/>. With SQLite the feed stays in process.
    /// </summary>
    public static IServiceCollection AddFeedAcrossInstances(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetSection(StorageOptions.Section).GetValue(nameof(StorageOptions.Provider), StorageProvider.Sqlite) == StorageProvider.Postgres)
        {
            services.AddSingleton(provider => new PostgresFeedListener(
                provider.GetRequiredService<PostgresDatabase>().ConnectionString,
                provider.GetRequiredService<ConversationFeed>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<PostgresFeedListener>>()));
            services.AddHostedService(provider => provider.GetRequiredService<PostgresFeedListener>());
        }

        return services;
    }
}
