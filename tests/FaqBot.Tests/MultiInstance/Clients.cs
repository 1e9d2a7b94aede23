using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using FaqBot.Channels.DirectLine;
using FaqBot.Schema;
using FaqBot.Staff;
using FaqBot.Tests.Staff;

namespace FaqBot.Tests.MultiInstance;

/// <summary>A patient's Direct Line client (as directlinejs: token, conversation, WebSocket stream, POSTs), movable between instances.</summary>
internal sealed class PatientClient : IAsyncDisposable
{
    /// <summary>Only so a missing reply fails the test instead of hanging it; never a timing assertion.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    private readonly Channel<(Activity Activity, string Watermark)> _arrivals = Channel.CreateUnbounded<(Activity, string)>();
    private HttpClient _http;
    private ClientWebSocket? _socket;
    private Task? _reading;

    private PatientClient(HttpClient http) => _http = http;

    public string ConversationId { get; private set; } = "";

    public string Token { get; private set; } = "";

    /// <summary>The watermark of the last frame received (what a reconnect resumes from).</summary>
    public string Watermark { get; private set; } = "0";

    /// <summary>Every activity received on any of the patient's streams, in arrival order.</summary>
    public List<Activity> Received { get; } = [];

    public static async Task<PatientClient> StartAsync(Uri instance)
    {
        var patient = new PatientClient(new HttpClient { BaseAddress = instance, Timeout = Guard });
        using var page = await patient._http.PostAsync(new Uri("/api/directline/token", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var pageToken = (await page.Content.ReadFromJsonAsync<ConversationResponse>(ActivityJson.Options))!.Token;
        using var start = await patient.SendAsync(HttpMethod.Post, "conversations", pageToken, """{"user":{}}""");
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var conversation = (await start.Content.ReadFromJsonAsync<ConversationResponse>(ActivityJson.Options))!;
        patient.ConversationId = conversation.ConversationId;
        patient.Token = conversation.Token;
        await patient.OpenStreamAsync(conversation.StreamUrl!);
        return patient;
    }

    /// <summary>Direct Line reconnect against another instance: GET conversations/{id}?watermark=, then its stream.</summary>
    public async Task ReconnectAsync(Uri instance)
    {
        await CloseStreamAsync();
        _http.Dispose();
        _http = new HttpClient { BaseAddress = instance, Timeout = Guard };
        using var response = await SendAsync(HttpMethod.Get, $"conversations/{Uri.EscapeDataString(ConversationId)}?watermark={Watermark}", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var conversation = (await response.Content.ReadFromJsonAsync<ConversationResponse>(ActivityJson.Options))!;
        Token = conversation.Token;
        Assert.StartsWith($"ws://{instance.Authority}/", conversation.StreamUrl, StringComparison.Ordinal);
        await OpenStreamAsync(conversation.StreamUrl!);
    }

    /// <summary>Posts a message; returns the id the server acknowledged it with.</summary>
    public async Task<string> SayAsync(string text)
    {
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["text"] = text,
            ["from"] = new JsonObject { ["id"] = "ignored" },
            ["locale"] = "en-US",
        };
        using var response = await SendAsync(HttpMethod.Post, $"conversations/{Uri.EscapeDataString(ConversationId)}/activities", Token, activity.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ResourceResponse>(ActivityJson.Options))!.Id;
    }

    /// <summary>Waits for a stored activity (typing is skipped) matching <paramref name="match"/> on the stream.</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> match)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (true)
        {
            var (activity, _) = await _arrivals.Reader.ReadAsync(guard.Token);
            if (match(activity))
            {
                return activity;
            }
        }
    }

    /// <summary>The whole transcript, as GET activities returns it.</summary>
    public async Task<IReadOnlyList<Activity>> TranscriptAsync()
    {
        using var response = await SendAsync(HttpMethod.Get, $"conversations/{Uri.EscapeDataString(ConversationId)}/activities", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ActivitySet>(ActivityJson.Options))!.Activities;
    }

    public async ValueTask DisposeAsync()
    {
        await CloseStreamAsync();
        _http.Dispose();
    }

    private async Task OpenStreamAsync(string streamUrl)
    {
        var socket = new ClientWebSocket();
        using (var guard = new CancellationTokenSource(Guard))
        {
            await socket.ConnectAsync(new Uri(streamUrl), guard.Token);
        }

        _socket = socket;
        _reading = ReadAsync(socket);
    }

    private async Task ReadAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                ActivitySet set;
                try
                {
                    set = JsonSerializer.Deserialize<ActivitySet>(Encoding.UTF8.GetString(message.ToArray()), ActivityJson.Options)!;
                }
                catch (JsonException) when (socket.State != WebSocketState.Open)
                {
                    // A frame cut short by our own close or abort (seen once on a loaded machine); while the socket is
                    // open, a frame that is not an activity set still fails the test.
                    return;
                }

                foreach (var activity in set.Activities.Where(a => a.Type != ActivityTypes.Typing))
                {
                    Received.Add(activity);
                    Watermark = set.Watermark!;
                    _arrivals.Writer.TryWrite((activity, set.Watermark!));
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The instance died or the stream was closed: a reconnect opens a new one.
        }
    }

    private async Task CloseStreamAsync()
    {
        if (_socket is { } socket)
        {
            if (socket.State == WebSocketState.Open)
            {
                try
                {
                    using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", guard.Token);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                {
                }
            }

            socket.Abort();
            await _reading!;
            socket.Dispose();
            _socket = null;
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string credential, string? json = null)
    {
        var request = new HttpRequestMessage(method, new Uri("/v3/directline/" + path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return _http.SendAsync(request);
    }
}

/// <summary>Staff sign-in on one instance and its live feed (server-sent events), read in the background.</summary>
internal sealed class StaffSession : IAsyncDisposable
{
    private readonly Channel<(string Type, JsonElement Data)> _events = Channel.CreateUnbounded<(string, JsonElement)>();
    private readonly CancellationTokenSource _stop = new();
    private Task? _reading;

    private StaffSession(StaffClient client) => Client = client;

    public StaffClient Client { get; }

    public static async Task<StaffSession> SignInAsync(Uri instance, string email, bool openFeed = true)
    {
        var client = new StaffClient(instance);
        using var response = await client.Http.PostAsJsonAsync("/api/staff/login", new { email, password = StaffKit.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        client.Me = (await response.Content.ReadFromJsonAsync<SignedInStaff>())!;
        var session = new StaffSession(client);
        if (openFeed)
        {
            var feed = await client.Http.GetAsync(new Uri("/api/staff/feed", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
            session._reading = session.ReadAsync(feed);
            await session.NextAsync("hello");
        }

        return session;
    }

    public async Task<HttpStatusCode> ClaimAsync(string conversationId)
    {
        using var response = await Client.PostAsync($"/api/staff/conversations/{Uri.EscapeDataString(conversationId)}/claim");
        return response.StatusCode;
    }

    public async Task SendAsync(string conversationId, string text)
    {
        using var response = await Client.PostAsync($"/api/staff/conversations/{Uri.EscapeDataString(conversationId)}/messages", new { text });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The next feed event of that type that matches, skipping others.</summary>
    public async Task<JsonElement> NextAsync(string type, Func<JsonElement, bool>? match = null)
    {
        using var guard = new CancellationTokenSource(PatientClient.Guard);
        while (true)
        {
            var (eventType, data) = await _events.Reader.ReadAsync(guard.Token);
            if (eventType == type && (match?.Invoke(data) ?? true))
            {
                return data;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reading is not null)
        {
            await _reading;
        }

        Client.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        try
        {
            using (response)
            using (var reader = new System.IO.StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token)))
            {
                string? type = null;
                var data = "";
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        type = line[7..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        data += line[6..];
                    }
                    else if (line.Length == 0 && type is not null)
                    {
                        _events.Writer.TryWrite((type, JsonSerializer.Deserialize<JsonElement>(data)));
                        (type, data) = (null, "");
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }
}
