using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using FaqBot.Channels.DirectLine;
using FaqBot.Schema;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>Reads a Direct Line stream frame by frame, checking each is a JSON ActivitySet text frame.</summary>
internal sealed class StreamReader(ClientWebSocket socket) : IAsyncDisposable
{
    /// <summary>A guard against hanging forever, not a timing assumption: every wait ends on an event.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    public static async Task<StreamReader> OpenAsync(string streamUrl)
    {
        var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(Guard);
        await socket.ConnectAsync(new Uri(streamUrl), cts.Token);
        return new StreamReader(socket);
    }

    public ClientWebSocket Socket => socket;

    public async Task<ActivitySet> NextAsync()
    {
        using var cts = new CancellationTokenSource(Guard);
        using var message = new MemoryStream();
        var buffer = new byte[8192];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cts.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        var text = Encoding.UTF8.GetString(message.ToArray());
        Assert.False(string.IsNullOrEmpty(text), "The server sent an empty frame.");
        var set = JsonSerializer.Deserialize<ActivitySet>(text, ActivityJson.Options)!;
        Assert.False(string.IsNullOrEmpty(set.Watermark));
        return set;
    }

    /// <summary>Reads frames until one holds an activity matching <paramref name="match"/>; returns every activity read on the way.</summary>
    public async Task<List<(Activity Activity, string Watermark)>> ReadUntilAsync(Func<Activity, bool> match)
    {
        var seen = new List<(Activity, string)>();
        while (true)
        {
            var set = await NextAsync();
            foreach (var activity in set.Activities)
            {
                seen.Add((activity, set.Watermark));
                if (match(activity))
                {
                    return seen;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(Guard);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        }

        socket.Dispose();
    }
}
