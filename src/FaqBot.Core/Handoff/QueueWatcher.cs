using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaqBot.Handoff;

/// <summary>Every <see cref="StaffOptions.QueueCheckSeconds"/>, offers a callback to conversations that have waited too long.</summary>
public sealed partial class QueueWatcher(HandoffService handoff, IOptions<StaffOptions> options, TimeProvider time, ILogger<QueueWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.QueueCheckSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await handoff.OfferLongWaitCallbacksAsync(time.GetUtcNow(), stoppingToken) is > 0 and var offered)
                {
                    LogOffered(logger, offered);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Offered a callback to {Count} conversations that waited too long")]
    private static partial void LogOffered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking the staff queue for long waits failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
