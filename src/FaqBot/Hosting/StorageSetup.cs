using System.Xml.Linq;
using FaqBot.Audit;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Insights;
using FaqBot.Privacy;
using FaqBot.Storage;
using FaqBot.Storage.Postgres;
using FaqBot.Storage.Sqlite;
using FaqBot.Teaching;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace FaqBot.Hosting;

public static partial class StorageSetup
{
    /// <summary>
    /// Every store, from <c>Storage:Provider</c> (<c>Sqlite</c>, the default, or <c>Postgres</c>) and
    /// <c>ConnectionStrings:FaqBot</c> (for SQLite by default the file <c>data/faqbot.db</c>); the migrator, run before
    /// anything else starts; and the sweep that takes up messages whose instance died before answering them.
    /// With PostgreSQL the Data Protection keys, the generated Direct Line signing key and staff presence are shared too.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration, string root)
    {
        var connectionString = configuration.GetConnectionString("FaqBot");
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.Provider != StorageProvider.Postgres || !string.IsNullOrWhiteSpace(connectionString), "Storage:Provider Postgres needs ConnectionStrings:FaqBot (a PostgreSQL connection string).")
            .Validate(o => Enum.IsDefined(o.Provider), "Storage:Provider must be Sqlite or Postgres.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<DatabaseProbe>();
        services.AddSingleton<TableDump>();

        var provider = Provider(configuration, connectionString);
        if (provider == StorageProvider.Postgres)
        {
            services.AddSingleton(_ => new PostgresDatabase(connectionString!));
            services.AddSingleton<IConversationStore, PostgresConversationStore>();
            services.AddSingleton<IAuditLog, PostgresAuditLog>();
            services.AddSingleton<ICallbackStore, PostgresCallbackStore>();
            services.AddSingleton<IStaffDirectory, PostgresStaffDirectory>();
            services.AddSingleton<IStaffNoteStore, PostgresStaffNoteStore>();
            services.AddSingleton<ISavedReplyStore, PostgresSavedReplyStore>();
            services.AddSingleton<IConversationHistory, PostgresConversationHistory>();
            services.AddSingleton<ISignInThrottle, PostgresSignInThrottle>();
            services.AddSingleton<ITeachingStore, PostgresTeachingStore>();
            services.AddSingleton<IInsightsStore, PostgresInsightsStore>();
            services.AddSingleton<IConversationEraser, PostgresConversationEraser>();
            services.AddSingleton<IBotConnectorConversations, PostgresBotConnectorConversations>();
            services.AddSingleton<ISecretStore, PostgresSecretStore>();
            services.AddSingleton<IStaffPresenceStore, PostgresStaffPresenceStore>();
            services.AddSingleton<IDataProtectionKeyStore, PostgresDataProtectionKeys>();
            services.AddSingleton<IPostConfigureOptions<KeyManagementOptions>, SharedKeyRing>();
            services.AddHostedService<PresenceHeartbeat>();
        }
        else
        {
            services.AddSingleton(_ => new SqliteDatabase(connectionString ?? StorageOptions.DefaultSqliteConnectionString, root));
            services.AddSingleton<IConversationStore, SqliteConversationStore>();
            services.AddSingleton<IAuditLog, SqliteAuditLog>();
            services.AddSingleton<ICallbackStore, SqliteCallbackStore>();
            services.AddSingleton<IStaffDirectory, SqliteStaffDirectory>();
            services.AddSingleton<IStaffNoteStore, SqliteStaffNoteStore>();
            services.AddSingleton<ISavedReplyStore, SqliteSavedReplyStore>();
            services.AddSingleton<IConversationHistory, SqliteConversationHistory>();
            services.AddSingleton<ISignInThrottle, SqliteSignInThrottle>();
            services.AddSingleton<ITeachingStore, SqliteTeachingStore>();
            services.AddSingleton<IInsightsStore, SqliteInsightsStore>();
            services.AddSingleton<IConversationEraser, SqliteConversationEraser>();
            services.AddSingleton<IBotConnectorConversations, SqliteBotConnectorConversations>();
        }

        services.AddHostedService<SchemaMigration>();
        services.AddHostedService<TurnRecovery>();
        return services;
    }

    /// <summary>The configured provider; a wrong name or a connection string of the other kind stops the start with a clear message.</summary>
    private static StorageProvider Provider(IConfiguration configuration, string? connectionString)
    {
        var name = configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.Provider)}"];
        if (string.IsNullOrWhiteSpace(name))
        {
            return StorageProvider.Sqlite;
        }

        if (!Enum.TryParse<StorageProvider>(name, ignoreCase: true, out var provider) || !Enum.IsDefined(provider))
        {
            throw new OptionsValidationException(StorageOptions.Section, typeof(StorageOptions), [$"Storage:Provider must be Sqlite or Postgres, not '{name}'."]);
        }

        if (provider == StorageProvider.Postgres)
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString ?? throw new ArgumentException("missing")).Host
                    ?? throw new ArgumentException("no Host");
            }
            catch (ArgumentException)
            {
                throw new OptionsValidationException(StorageOptions.Section, typeof(StorageOptions),
                    ["Storage:Provider Postgres needs ConnectionStrings:FaqBot to be a PostgreSQL connection string (Host=...;Database=...;Username=...)."]);
            }
        }

        return provider;
    }

    /// <summary>Applies the schema before any other service starts (this one is registered first).</summary>
    private sealed class SchemaMigration(SchemaMigrator migrator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Once every service has started (before the host reports itself started), and then every
    /// <c>Storage:RecoverySweepSeconds</c>: runs the turns that were stored but never completed and whose lease ran out
    /// (their instance died). With SQLite (one process) the first run takes every unfinished turn, leased or not: the
    /// process that leased them is gone.
    /// </summary>
    private sealed partial class TurnRecovery(ConversationService conversations, StorageOptions options, TimeProvider time, ILogger<TurnRecovery> logger)
        : BackgroundService, IHostedLifecycleService
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task StartedAsync(CancellationToken cancellationToken)
        {
            try
            {
                await conversations.RecoverUnprocessedAsync(includeLeased: options.Provider == StorageProvider.Sqlite, cancellationToken);
            }
            finally
            {
                _started.TrySetResult();
            }
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await _started.Task.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(options.RecoverySweepSeconds), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    await conversations.RecoverUnprocessedAsync(includeLeased: false, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Error, Message = "Taking up unfinished turns failed; the next sweep tries again")]
        private static partial void LogFailed(ILogger logger, Exception exception);
    }

    /// <summary>Shares this instance's open staff consoles and reads the others' (a third of the expiry apart).</summary>
    private sealed partial class PresenceHeartbeat(StaffPresence presence, StorageOptions options, TimeProvider time, ILogger<PresenceHeartbeat> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            var period = TimeSpan.FromSeconds(Math.Max(1, options.PresenceExpirySeconds / 3));
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await presence.SyncAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }

                try
                {
                    await Task.Delay(period, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Staff presence heartbeat failed; the next one tries again")]
        private static partial void LogFailed(ILogger logger, Exception exception);
    }

    /// <summary>
    /// Data Protection keeps its key ring in the database, so every instance reads the others' cookies (after every
    /// other configuration, which would otherwise keep it in the keys folder).
    /// </summary>
    private sealed class SharedKeyRing(IDataProtectionKeyStore keys) : IPostConfigureOptions<KeyManagementOptions>
    {
        public void PostConfigure(string? name, KeyManagementOptions options) => options.XmlRepository = new DatabaseXmlRepository(keys);
    }
}

/// <summary>ASP.NET Core's key repository over the database's <c>data_protection_keys</c> table.</summary>
public sealed class DatabaseXmlRepository(IDataProtectionKeyStore keys) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => [.. keys.List().Select(XElement.Parse)];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        keys.Store(friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }
}
