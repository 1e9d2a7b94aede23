using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Schema;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FaqBot.Channels.DirectLine;

/// <summary>
/// The Direct Line WebSocket stream (<c>streamUrl</c>). On open it replays what the client has not seen
/// (everything after the watermark, from the store), then forwards live activities from the
/// <see cref="ConversationFeed"/> in sequence order, typing included (typing travels only here). What another
/// instance stored (announced by the database) is read from the store after the last sequence sent.
/// Each frame is one JSON ActivitySet text frame; the client's empty keep-alive frames are read and ignored.
/// </summary>
public static partial class DirectLineStream
{
    public static async Task<Results<EmptyHttpResult, JsonHttpResult<ErrorResponse>>> Connect(
        string conversationId,
        string? watermark,
        HttpContext context,
        ConversationService conversations,
        ConversationFeed feed,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggers)
    {
        if (DirectLineEndpoints.ParseWatermark(watermark) is not { } after)
        {
            return DirectLineEndpoints.WatermarkError();
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            return DirectLineError.BadRequest("This is the conversation's WebSocket stream: open it with a WebSocket client.");
        }

        var logger = loggers.CreateLogger(typeof(DirectLineStream).FullName!);
        // Subscribed before the handshake completes: the client may act (a staff member starts typing) as soon as it
        // sees the stream open, and a transient activity published before the subscription would never reach it.
        // Stored activities published before the backlog is read come from the backlog.
        using var subscription = feed.Subscribe(conversationId);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping, context.RequestAborted);
        LogOpened(logger, new Privacy.ConversationRef(conversationId), after);

        var reading = DrainClientAsync(socket, stop);
        var sent = after;
        try
        {
            sent = await SendBacklogAsync(socket, conversations.Store, conversationId, sent, stop.Token);
            await foreach (var item in subscription.Reader.ReadAllAsync(stop.Token))
            {
                if (item.Stored is { } stored)
                {
                    if (stored.Sequence == sent + 1)
                    {
                        await SendAsync(socket, stored.Activity, stored.Sequence, stop.Token);
                        sent = stored.Sequence;
                    }
                    else if (stored.Sequence > sent)
                    {
                        // Published out of order: fill the gap from the store so the client sees the log in order.
                        sent = await SendBacklogAsync(socket, conversations.Store, conversationId, sent, stop.Token);
                    }
                }
                else if ((item.StoredElsewhere is { } sequence && sequence > sent) || item.CatchUp)
                {
                    // Stored by another instance (or announcements may have been missed): read it from the store.
                    sent = await SendBacklogAsync(socket, conversations.Store, conversationId, sent, stop.Token);
                }
                else if (item.Transient is { } transient)
                {
                    await SendAsync(socket, transient, sent, stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client left, or the server is stopping.
        }

        await CloseAsync(socket, reading, lifetime.ApplicationStopping.IsCancellationRequested);
        LogClosed(logger, new Privacy.ConversationRef(conversationId), sent);
        return TypedResults.Empty;
    }

    private static async Task<long> SendBacklogAsync(WebSocket socket, IConversationStore store, string conversationId, long after, CancellationToken ct)
    {
        while (true)
        {
            var page = await store.GetActivitiesAsync(conversationId, after, ct: ct);
            if (page.Count == 0)
            {
                return after;
            }

            foreach (var stored in page)
            {
                await SendAsync(socket, stored.Activity, stored.Sequence, ct);
                after = stored.Sequence;
            }
        }
    }

    private static Task SendAsync(WebSocket socket, Activity activity, long watermark, CancellationToken ct)
    {
        var frame = JsonSerializer.SerializeToUtf8Bytes(new ActivitySet([activity], watermark.ToString(CultureInfo.InvariantCulture)), ActivityJson.Options);
        return socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
    }

    /// <summary>Reads until the client closes; every other frame (directlinejs pings with empty ones) is ignored.</summary>
    private static async Task DrainClientAsync(WebSocket socket, CancellationTokenSource stop)
    {
        var buffer = new byte[4096];
        try
        {
            while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private static async Task CloseAsync(WebSocket socket, Task reading, bool serverStopping)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(
                    serverStopping ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure,
                    serverStopping ? "server restarting" : null,
                    CancellationToken.None);
            }

            await reading.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or OperationCanceledException)
        {
            socket.Abort();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream opened for conversation {ConversationId} from watermark {Watermark}")]
    private static partial void LogOpened(ILogger logger, Privacy.ConversationRef conversationId, long watermark);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream closed for conversation {ConversationId} at watermark {Watermark}")]
    private static partial void LogClosed(ILogger logger, Privacy.ConversationRef conversationId, long watermark);
}
