using System.ComponentModel.DataAnnotations;
using System.Net.Http.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using Microsoft.Extensions.Options;

namespace FaqBot.Staff;

/// <summary>The <c>UrgentAlert</c> section: who is paged when an urgent chat waits unclaimed.</summary>
public sealed class UrgentAlertOptions
{
    public const string Section = "UrgentAlert";

    /// <summary>An https (or, on this machine, http) address that takes a JSON POST, e.g. a paging or SMS service. Empty: no webhook.</summary>
    public string WebhookUrl { get; set; } = "";

    /// <summary>An urgent chat unclaimed for this long calls the webhook (once per escalation).</summary>
    [Range(1, 24 * 60)]
    public int AfterMinutes { get; set; } = 3;

    /// <summary>Attempts in all; between them FaqBot waits <see cref="FirstRetrySeconds"/>, then twice as long each time.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 5;

    [Range(1, 600)]
    public int FirstRetrySeconds { get; set; } = 5;

    /// <summary>How often unclaimed urgent chats are checked.</summary>
    [Range(1, 3600)]
    public int CheckSeconds { get; set; } = 15;
}

/// <summary>The webhook address is absolute http(s); plain http only to this machine (a relay on localhost).</summary>
public sealed class UrgentAlertOptionsValidator : IValidateOptions<UrgentAlertOptions>
{
    public ValidateOptionsResult Validate(string? name, UrgentAlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.WebhookUrl))
        {
            return ValidateOptionsResult.Success;
        }

        return Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var uri)
               && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"UrgentAlert:WebhookUrl '{options.WebhookUrl}' must be an absolute https:// address (http:// only to localhost).");
    }
}

/// <summary>What the webhook receives: no patient text, no name, no conversation id; the short reference staff see in the console.</summary>
public sealed record UrgentPage(string Event, string Reference, string Reason, string Label, int WaitingMinutes, DateTimeOffset WaitingSince, string Console);

/// <summary>
/// Every <see cref="UrgentAlertOptions.CheckSeconds"/>: an urgent chat (Escalation:Reasons ... Urgent) still unclaimed after
/// <see cref="UrgentAlertOptions.AfterMinutes"/> is marked paged (so it is paged once per escalation, also across
/// restarts) and the webhook is called, retried with exponential backoff.
/// </summary>
public sealed partial class UrgentPager(
    ConversationService conversations,
    EscalationReasons reasons,
    IHttpClientFactory clients,
    IOptions<UrgentAlertOptions> options,
    TimeProvider time,
    ILogger<UrgentPager> logger) : BackgroundService
{
    public const string HttpClientName = "urgent-webhook";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(options.Value.WebhookUrl))
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CheckSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PageDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCheckFailed(logger, ex);
            }
        }
    }

    /// <summary>Pages every urgent chat that has waited too long and was not paged yet; returns how many.</summary>
    public async Task<int> PageDueAsync(CancellationToken ct)
    {
        var limit = TimeSpan.FromMinutes(options.Value.AfterMinutes);
        var now = time.GetUtcNow();
        bool Due(ConversationState s) => s.Handoff == HandoffState.Queued && s.UrgentPagedAt is null
            && reasons.IsUrgent(s.Escalation?.Reason) && now - s.Escalation!.At >= limit;

        var paged = 0;
        foreach (var waiting in await conversations.Store.ListByHandoffAsync([HandoffState.Queued], ct))
        {
            if (!Due(waiting))
            {
                continue;
            }

            ConversationState? marked = null;
            await conversations.UpdateAsync(waiting.ConversationId, s =>
            {
                marked = null; // decided again on each attempt: another instance may have paged meanwhile
                if (!Due(s))
                {
                    return null;
                }

                marked = s with { UrgentPagedAt = now };
                return (marked, []);
            }, ct);
            if (marked?.Escalation is { } escalation)
            {
                var page = new UrgentPage(
                    "urgent-unclaimed", ShortId.Of(marked.ConversationId), escalation.Reason, reasons.LabelOf(escalation.Reason),
                    (int)(now - escalation.At).TotalMinutes, escalation.At, "/staff");
                await SendAsync(page, new Privacy.ConversationRef(marked.ConversationId), ct);
                paged++;
            }
        }

        return paged;
    }

    private async Task SendAsync(UrgentPage page, Privacy.ConversationRef conversation, CancellationToken ct)
    {
        var settings = options.Value;
        var delay = TimeSpan.FromSeconds(settings.FirstRetrySeconds);
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            try
            {
                using var client = clients.CreateClient(HttpClientName);
                using var response = await client.PostAsJsonAsync(new Uri(settings.WebhookUrl), page, ct);
                if (response.IsSuccessStatusCode)
                {
                    LogPaged(logger, conversation, attempt);
                    return;
                }

                LogAttemptFailed(logger, conversation, attempt, (int)response.StatusCode);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                LogAttemptFailed(logger, conversation, attempt, 0);
            }

            if (attempt < settings.MaxAttempts)
            {
                await Task.Delay(delay, time, ct);
                delay *= 2;
            }
        }

        LogGaveUp(logger, conversation, settings.MaxAttempts);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Urgent conversation {ConversationId} unclaimed: webhook called (attempt {Attempt})")]
    private static partial void LogPaged(ILogger logger, Privacy.ConversationRef conversationId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Urgent webhook for conversation {ConversationId} failed (attempt {Attempt}, status {Status}); retrying with backoff")]
    private static partial void LogAttemptFailed(ILogger logger, Privacy.ConversationRef conversationId, int attempt, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Urgent webhook for conversation {ConversationId} failed {Attempts} times; giving up")]
    private static partial void LogGaveUp(ILogger logger, Privacy.ConversationRef conversationId, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking for unclaimed urgent chats failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
