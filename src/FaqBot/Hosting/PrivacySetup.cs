using FaqBot.Audit;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Privacy;
using FaqBot.Staff;
using Microsoft.Extensions.Options;

namespace FaqBot.Hosting;

public static class PrivacySetup
{
    /// <summary>Retention (<c>Privacy:RetentionDays</c>), erasure, and the background job that applies them.</summary>
    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<RetentionJob>();
        return services;
    }
}

/// <summary>
/// Deletes conversations (messages, state, callbacks, feedback) untouched for <c>Privacy:RetentionDays</c>,
/// at start and every <c>Privacy:SweepMinutes</c> on the app's clock, and forgets old sign-in throttles.
/// Each sweep that deletes something is recorded in the audit log (a count, no content).
/// </summary>
public sealed partial class RetentionJob(
    IConversationEraser eraser,
    ConversationService conversations,
    ISignInThrottle throttle,
    IAuditLog audit,
    IOptions<PrivacyOptions> options,
    TimeProvider time,
    ILogger<RetentionJob> logger) : BackgroundService
{
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.RetentionDays);
        var erased = 0;
        foreach (var id in await eraser.ExpiredAsync(cutoff, ct))
        {
            // Under the conversation's lock, so a turn or staff action in progress finishes first.
            erased += await conversations.EraseAsync(id, "retention", ct) ? 1 : 0;
        }

        await eraser.DeleteOldRecordsAsync(cutoff, ct);
        await throttle.PruneAsync(ct);
        if (erased > 0)
        {
            await audit.AppendAsync(new AuditRecord("system", AuditActions.RetentionSweep, "done", $"{erased} conversation(s) older than {options.Value.RetentionDays} days"), ct);
            LogSwept(logger, erased, options.Value.RetentionDays);
        }

        return erased;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var period = TimeSpan.FromMinutes(options.Value.SweepMinutes);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: erased {Count} conversation(s) older than {Days} days")]
    private static partial void LogSwept(ILogger logger, int count, int days);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention sweep failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
