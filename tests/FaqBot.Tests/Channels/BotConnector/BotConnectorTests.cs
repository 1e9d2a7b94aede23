using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FaqBot.Channels.BotConnector;
using FaqBot.Conversation;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Channels.BotConnector;

/// <summary>/api/messages against a loopback stand-in for Azure Bot Service (Connector API, OpenID metadata, JWKS, token endpoint).</summary>
public sealed class BotConnectorTests
{
    private const string AppId = "faqbot-test-app";
    private const string ChannelConversation = "a:1/with spaces";
    private const string ChannelActivityId = "chan|0000007";

    [Fact]
    public async Task Emulator_mode_runs_the_turn_and_replies_to_the_service_url_with_encoded_segments()
    {
        await using var channel = await LoopbackChannel.StartAsync();
        await using var server = new FaqBotServer();
        using var http = server.CreateHttpClient();

        using var response = await PostAsync(http, ActivityJson(channel.Url, "can I drive afterward?"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // First the welcome of a new conversation (sent, not a reply), then the answer (a reply to the channel's id).
        var welcome = await channel.NextAsync();
        Assert.Equal("/v3/conversations/a%3A1%2Fwith%20spaces/activities", welcome.Path);
        Assert.Null(welcome.Body["replyToId"]);
        var reply = await channel.NextAsync();
        Assert.Equal("/v3/conversations/a%3A1%2Fwith%20spaces/activities/chan%7C0000007", reply.Path);
        Assert.Null(reply.Authorization); // no app password: emulator mode sends no token
        Assert.Equal("message", reply.Body["type"]!.GetValue<string>());
        Assert.Equal(ChannelActivityId, reply.Body["replyToId"]!.GetValue<string>());
        Assert.Equal("bot-1", reply.Body["from"]!["id"]!.GetValue<string>());
        Assert.Equal("user-1", reply.Body["recipient"]!["id"]!.GetValue<string>());
        Assert.Equal(ChannelConversation, reply.Body["conversation"]!["id"]!.GetValue<string>());
        Assert.Equal("tenant-9", reply.Body["conversation"]!["tenantId"]!.GetValue<string>());
        Assert.Equal(LoopbackChannel.ChannelId, reply.Body["channelId"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(reply.Body["text"]!.GetValue<string>()));

        var stored = await StoredAsync(server);
        var echo = stored.Single(s => s.Activity.From?.Role == RoleTypes.User).Activity;
        Assert.Equal("can I drive afterward?", echo.Text);
        Assert.Null(echo.ChannelData); // channel data FaqBot does not use is not stored
        Assert.Contains(stored, s => s.Activity.ReplyToId == echo.Id && s.Activity.Text == reply.Body["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Emulator_mode_refuses_callers_that_are_not_on_this_machine()
    {
        var local = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(local is not null, "This test needs a non-loopback IPv4 address on this machine to call from.");

        await using var server = new FaqBotServer();
        using var handler = new SocketsHttpHandler
        {
            // Connect to the loopback server from the machine's network address: the server sees a non-loopback caller.
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(local!, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress };

        using var response = await PostAsync(http, ActivityJson("http://127.0.0.1:9/", "hello"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await StoredAsync(server));
    }

    [Fact]
    public async Task Bad_bodies_get_problem_details()
    {
        await using var server = new FaqBotServer();
        using var http = server.CreateHttpClient();

        var missingServiceUrl = ActivityJson("http://127.0.0.1:9/", "hi");
        missingServiceUrl.Remove("serviceUrl");
        var cases = new (string Body, HttpStatusCode Status)[]
        {
            ("{\"type\":", HttpStatusCode.BadRequest),
            ("[]", HttpStatusCode.BadRequest),
            (missingServiceUrl.ToJsonString(), HttpStatusCode.BadRequest),
            (ActivityJson("ftp://127.0.0.1/", "hi").ToJsonString(), HttpStatusCode.BadRequest),
            (ActivityJson("http://127.0.0.1:9/", new string('x', 300 * 1024)).ToJsonString(), HttpStatusCode.RequestEntityTooLarge),
        };
        foreach (var (body, status) in cases)
        {
            using var response = await http.PostAsync(new Uri("/api/messages", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Too_long_text_is_kept_for_staff_and_the_patient_is_asked_for_a_shorter_one()
    {
        await using var channel = await LoopbackChannel.StartAsync();
        await using var server = new FaqBotServer();
        using var http = server.CreateHttpClient();
        var text = new string('a', 4001);

        using var response = await PostAsync(http, ActivityJson(channel.Url, text));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await channel.NextAsync(); // welcome
        var reply = await channel.NextAsync();
        Assert.Contains("4,000", reply.Body["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(ChannelActivityId, reply.Body["replyToId"]!.GetValue<string>());
        Assert.Contains(await StoredAsync(server), s => s.Activity.Text == text);
    }

    [Fact]
    public async Task With_an_app_id_a_valid_channel_token_is_accepted_and_replies_carry_an_aad_token()
    {
        await using var channel = await LoopbackChannel.StartAsync();
        await using var server = AuthenticatingServer(channel);
        using var http = server.CreateHttpClient();

        using var response = await PostAsync(http, ActivityJson(channel.Url, "hello"), channel.SignToken(AppId, channel.Url));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var welcome = await channel.NextAsync();
        Assert.Equal($"Bearer {LoopbackChannel.ReplyToken}", welcome.Authorization);
        var reply = await channel.NextAsync();
        Assert.Equal($"Bearer {LoopbackChannel.ReplyToken}", reply.Authorization);
        Assert.Equal(ChannelActivityId, reply.Body["replyToId"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_an_app_id_missing_foreign_expired_forged_or_mismatched_tokens_are_refused()
    {
        await using var channel = await LoopbackChannel.StartAsync();
        await using var server = AuthenticatingServer(channel);
        using var http = server.CreateHttpClient();
        using var otherKey = RSA.Create(2048);

        var cases = new (string Name, string? Token, JsonObject Activity, HttpStatusCode Status)[]
        {
            ("missing", null, ActivityJson(channel.Url, "hi"), HttpStatusCode.Unauthorized),
            ("wrong audience", channel.SignToken("another-bot", channel.Url), ActivityJson(channel.Url, "hi"), HttpStatusCode.Unauthorized),
            ("expired beyond the 5 minute skew", channel.SignToken(AppId, channel.Url, DateTime.UtcNow.AddMinutes(-10)), ActivityJson(channel.Url, "hi"), HttpStatusCode.Unauthorized),
            ("bad signature", channel.SignToken(AppId, channel.Url, key: otherKey), ActivityJson(channel.Url, "hi"), HttpStatusCode.Unauthorized),
            ("serviceurl claim of another service", channel.SignToken(AppId, "https://evil.example/"), ActivityJson(channel.Url, "hi"), HttpStatusCode.Forbidden),
            ("key not endorsed for the channel", channel.SignToken(AppId, channel.Url), ActivityJson(channel.Url, "hi", channelId: "webchat"), HttpStatusCode.Forbidden),
        };
        foreach (var (name, token, activity, status) in cases)
        {
            using var response = await PostAsync(http, activity, token);
            Assert.True(status == response.StatusCode, $"{name}: expected {(int)status}, got {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Empty(await StoredAsync(server));
        Assert.Empty(await StoredAsync(server, "webchat"));

        // Within the skew an expired-by-a-minute token still passes, as the Bot Framework allows.
        using var skewed = await PostAsync(http, ActivityJson(channel.Url, "hi"), channel.SignToken(AppId, channel.Url, DateTime.UtcNow.AddMinutes(-1)));
        Assert.Equal(HttpStatusCode.OK, skewed.StatusCode);
    }

    private static FaqBotServer AuthenticatingServer(LoopbackChannel channel) => new(new Dictionary<string, string?>
    {
        ["BotConnector:MicrosoftAppId"] = AppId,
        ["BotConnector:MicrosoftAppPassword"] = "app-password",
        ["BotConnector:OpenIdMetadataUrl"] = $"{channel.Url}/.well-known/openidconfiguration",
        ["BotConnector:OAuthTokenEndpoint"] = $"{channel.Url}/token",
    });

    private static JsonObject ActivityJson(string serviceUrl, string text, string channelId = LoopbackChannel.ChannelId) => new()
    {
        ["type"] = "message",
        ["id"] = ChannelActivityId,
        ["channelId"] = channelId,
        ["serviceUrl"] = serviceUrl,
        ["text"] = text,
        ["from"] = new JsonObject { ["id"] = "user-1", ["name"] = "Ann" },
        ["recipient"] = new JsonObject { ["id"] = "bot-1", ["name"] = "Clinic bot" },
        ["conversation"] = new JsonObject { ["id"] = ChannelConversation, ["tenantId"] = "tenant-9", ["conversationType"] = "personal" },
        ["locale"] = "en-US",
        ["channelData"] = new JsonObject { ["x"] = 1 },
    };

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, JsonObject activity, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/messages", UriKind.Relative))
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return http.SendAsync(request);
    }

    private static Task<IReadOnlyList<StoredActivity>> StoredAsync(FaqBotServer server, string channelId = LoopbackChannel.ChannelId) =>
        server.Services.GetRequiredService<IConversationStore>().GetActivitiesAsync(BotConnectorConversations.LocalId(channelId, ChannelConversation), 0);
}
