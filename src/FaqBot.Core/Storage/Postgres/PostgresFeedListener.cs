using System.Globalization;
using FaqBot.Conversation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FaqBot.Storage.Postgres;

/// <summary>
/// Carries what other instances store to this one's <see cref="ConversationFeed"/>. The PostgreSQL store announces,
/// inside its append transactions, <c>pg_notify('faqbot_activity', '{conversationId}:{sequence}')</c> and, when a chat's
/// handoff state or owner changes, <c>pg_notify('faqbot_queue', '{conversationId}')</c>: ids and numbers only, never
/// text. This service holds one dedicated connection listening to both channels and turns each notification into
/// <see cref="ConversationFeed.Announce"/> or <see cref="ConversationFeed.AnnounceQueueChange"/>; subscribers read the
/// activities from the store. A lost connection is reopened with backoff, and once listening again every subscriber
/// catches up from the last sequence it saw (<see cref="ConversationFeed.CatchUpAll"/>), so nothing is missed.
/// </summary>
public sealed partial class PostgresFeedListener(
    string connectionString,
    ConversationFeed feed,
    TimeProvider time,
    ILogger<PostgresFeedListener> logger) : BackgroundService
{
    public const string ActivityChannel = PostgresConversationStore.ActivityChannel;
    public const string QueueChannel = PostgresConversationStore.QueueChannel;

    /// <summary>The listening connection's <c>application_name</c> (visible in <c>pg_stat_activity</c>).</summary>
    public const string ApplicationName = "faqbot-feed";

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>First wait before reconnecting; doubled after each failure up to <see cref="MaxBackoff"/>.</summary>
    internal TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    internal TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the connection may stay silent before a probe checks it is still alive.</summary>
    internal TimeSpan ProbeAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How many times the connection was (re)established, for tests and diagnostics.</summary>
    public int Connections { get; private set; }

    /// <summary>Completes once the listener listens for the first time.</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        feed.ExpectAnnouncements();
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = ApplicationName,
            Pooling = false, // one long-lived connection of its own; a broken one is never handed out again
        };
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {ActivityChannel}; LISTEN {QueueChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                Connections++;
                if (failures > 0)
                {
                    LogReconnected(logger, failures);
                }

                failures = 0;

                // Listening from here on: whatever was announced before (at start-up, or while the connection was
                // down) is read from the store by every subscriber.
                feed.CatchUpAll();
                _listening.TrySetResult();
                while (true)
                {
                    if (!await connection.WaitAsync(ProbeAfter, stoppingToken))
                    {
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) // whatever broke the connection (server restarted, network, terminated): never give up
            {
                failures++;
                var wait = Backoff(failures);
                LogLost(logger, ex.GetType().Name, failures, (long)wait.TotalMilliseconds);
                try
                {
                    await Task.Delay(wait, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var doubled = InitialBackoff * Math.Pow(2, Math.Min(failures - 1, 16));
        return doubled < MaxBackoff ? doubled : MaxBackoff;
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        switch (e.Channel)
        {
            case ActivityChannel:
                var colon = e.Payload.LastIndexOf(':');
                if (colon > 0 && long.TryParse(e.Payload.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                {
                    feed.Announce(e.Payload[..colon], sequence);
                }
                else
                {
                    LogMalformed(logger, e.Channel);
                }

                break;
            case QueueChannel when e.Payload.Length > 0:
                feed.AnnounceQueueChange(e.Payload);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the PostgreSQL notification connection ({Error}, failure {Failures}); reconnecting in {DelayMs} ms")]
    private static partial void LogLost(ILogger logger, string error, int failures, long delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL notifications listened to again after {Failures} failures; every stream catches up from the store")]
    private static partial void LogReconnected(ILogger logger, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed notification on {Channel}")]
    private static partial void LogMalformed(ILogger logger, string channel);
}
