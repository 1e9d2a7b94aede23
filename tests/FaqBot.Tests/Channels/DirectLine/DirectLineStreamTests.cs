using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using FaqBot.Channels.DirectLine;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>The WebSocket stream with a real ClientWebSocket: echo, typing, reply, keep-alives, reconnect, restart.</summary>
public sealed class DirectLineStreamTests
{
    [Fact]
    public async Task Stream_echoes_with_same_id_and_channel_data_then_types_and_replies_and_replays_what_was_missed()
    {
        // Typing at once (no delay), so it must come between the echo and the reply.
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Conversation:TypingDelay"] = "00:00:00" });
        using var client = new DirectLineTestClient(server);
        var conversation = await client.StartAsync();

        long watermark;
        string firstEchoId;
        await using (var stream = await StreamReader.OpenAsync(conversation.StreamUrl!))
        {
            // directlinejs pings with empty text frames; they must be ignored, not answered or fatal.
            await stream.Socket.SendAsync(ArraySegment<byte>.Empty, WebSocketMessageType.Text, true, CancellationToken.None);

            var postedId = await client.PostMessageAsync(conversation.Token, conversation.ConversationId, "can I drive afterward?", "client-a");
            var seen = await stream.ReadUntilAsync(a => a.Type == ActivityTypes.Message && a.From?.Role == RoleTypes.Bot && a.ReplyToId == postedId);

            var echo = seen.Single(s => s.Activity.ChannelData?["clientActivityID"]?.GetValue<string>() == "client-a");
            Assert.Equal(postedId, echo.Activity.Id);
            Assert.Equal(RoleTypes.User, echo.Activity.From!.Role);
            Assert.NotNull(echo.Activity.Timestamp);
            var echoIndex = seen.IndexOf(echo);
            var typingIndex = seen.FindIndex(s => s.Activity.Type == ActivityTypes.Typing);
            Assert.InRange(typingIndex, echoIndex + 1, seen.Count - 2); // typing between the echo and the reply
            Assert.Equal(RoleTypes.Bot, seen[typingIndex].Activity.From!.Role);

            var reply = seen[^1];
            Assert.Equal(Sequence(reply.Activity.Id!).ToString(CultureInfo.InvariantCulture), reply.Watermark);
            watermark = Sequence(reply.Activity.Id!);
            firstEchoId = postedId;
        }

        // While no socket is open, the patient (another tab) sends again: stored and answered.
        var missedId = await client.PostMessageAsync(conversation.Token, conversation.ConversationId, "and after that?", "client-b");

        using var response = await client.SendAsync(HttpMethod.Get, $"conversations/{conversation.ConversationId}?watermark={watermark}", conversation.Token);
        var reconnect = (await response.Content.ReadFromJsonAsync<ConversationResponse>(DirectLineTestClient.Json))!;
        await using var again = await StreamReader.OpenAsync(reconnect.StreamUrl!);
        var replayed = await again.ReadUntilAsync(a => a.ReplyToId == missedId && a.From?.Role == RoleTypes.Bot);

        Assert.Equal(missedId, replayed[0].Activity.Id); // replay starts right after the watermark...
        Assert.DoesNotContain(replayed, r => r.Activity.Id == firstEchoId); // ...not from the beginning
        Assert.Equal("client-b", replayed[0].Activity.ChannelData!["clientActivityID"]!.GetValue<string>());
        Assert.DoesNotContain(replayed, r => r.Activity.Type == ActivityTypes.Typing); // typing is live only
    }

    [Fact]
    public async Task A_reply_ready_before_the_typing_delay_comes_without_a_typing_indicator_before_or_after_it()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Conversation:TypingDelay"] = "00:00:10" });
        using var client = new DirectLineTestClient(server);
        var conversation = await client.StartAsync();
        await using var stream = await StreamReader.OpenAsync(conversation.StreamUrl!);

        var first = await client.PostMessageAsync(conversation.Token, conversation.ConversationId, "can I drive afterward?", "t1");
        var seen = await stream.ReadUntilAsync(a => a.Type == ActivityTypes.Message && a.From?.Role == RoleTypes.Bot && a.ReplyToId == first);
        var second = await client.PostMessageAsync(conversation.Token, conversation.ConversationId, "how long does an infusion take?", "t2");
        seen.AddRange(await stream.ReadUntilAsync(a => a.Type == ActivityTypes.Message && a.From?.Role == RoleTypes.Bot && a.ReplyToId == second));

        Assert.Contains(seen, s => s.Activity.Id == second); // the second message's echo, after the first reply
        Assert.DoesNotContain(seen, s => s.Activity.Type == ActivityTypes.Typing);
    }

    [Fact]
    public async Task While_staff_have_the_chat_the_bot_is_never_shown_typing_even_with_no_delay()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["Conversation:TypingDelay"] = "00:00:00" });
        using var client = new DirectLineTestClient(server);
        var conversation = await client.StartAsync();
        await server.Services.GetRequiredService<ConversationService>().UpdateAsync(conversation.ConversationId, s => (s with { Handoff = HandoffState.WithStaff }, []));
        await using var stream = await StreamReader.OpenAsync(conversation.StreamUrl!);

        // The bot says nothing to the first message; the second is a crisis, which it answers whoever has the chat.
        var quiet = await client.PostMessageAsync(conversation.Token, conversation.ConversationId, "thanks, are you still there?", "s1");
        var crisis = await client.PostMessageAsync(conversation.Token, conversation.ConversationId, "i want to kill myself", "s2");
        var seen = await stream.ReadUntilAsync(a => a.Type == ActivityTypes.Message && a.From?.Role == RoleTypes.Bot && a.ReplyToId == crisis);

        Assert.Contains(seen, s => s.Activity.Id == quiet);
        Assert.DoesNotContain(seen, s => s.Activity.ReplyToId == quiet);
        Assert.DoesNotContain(seen, s => s.Activity.Type == ActivityTypes.Typing);
    }

    [Fact]
    public async Task A_restart_loses_nothing_the_client_reconnects_from_its_watermark_with_its_old_token()
    {
        var database = Path.Combine(TestPaths.TempRoot, $"{Guid.NewGuid():N}.db");
        ConversationResponse conversation;
        long watermark;
        string missedId;
        await using (var first = new FaqBotServer(databasePath: database))
        {
            using var client = new DirectLineTestClient(first);
            conversation = await client.StartAsync();
            await using (var stream = await StreamReader.OpenAsync(conversation.StreamUrl!))
            {
                var id = await client.PostMessageAsync(conversation.Token, conversation.ConversationId, "first question", "r1");
                var seen = await stream.ReadUntilAsync(a => a.ReplyToId == id && a.From?.Role == RoleTypes.Bot);
                watermark = long.Parse(seen[^1].Watermark, CultureInfo.InvariantCulture);
            }

            missedId = await client.PostMessageAsync(conversation.Token, conversation.ConversationId, "sent before the restart", "r2");
        }

        await using var second = new FaqBotServer(databasePath: database);
        using var after = new DirectLineTestClient(second);
        using var response = await after.SendAsync(HttpMethod.Get, $"conversations/{conversation.ConversationId}?watermark={watermark}", conversation.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the generated signing key survived the restart
        var reconnect = (await response.Content.ReadFromJsonAsync<ConversationResponse>(DirectLineTestClient.Json))!;
        Assert.Contains(second.BaseAddress.Authority, reconnect.StreamUrl, StringComparison.Ordinal);

        await using var stream2 = await StreamReader.OpenAsync(reconnect.StreamUrl!);
        var replayed = await stream2.ReadUntilAsync(a => a.ReplyToId == missedId && a.From?.Role == RoleTypes.Bot);
        Assert.Equal(missedId, replayed[0].Activity.Id);
        Assert.Equal("sent before the restart", replayed[0].Activity.Text);
        Assert.Equal(watermark + 1, Sequence(replayed[0].Activity.Id!));

        // And the conversation goes on after the restart, live on the same socket.
        var liveId = await after.PostMessageAsync(reconnect.Token, conversation.ConversationId, "after the restart", "r3");
        var live = await stream2.ReadUntilAsync(a => a.ReplyToId == liveId);
        Assert.Contains(live, l => l.Activity.Id == liveId);
    }

    [Fact]
    public async Task Stream_refuses_missing_expired_and_foreign_tokens_before_upgrading()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?> { ["DirectLine:SigningKey"] = DirectLineTestClient.SigningKey });
        using var client = new DirectLineTestClient(server);
        var conversation = await client.StartAsync();
        var user = DirectLineTestClient.Read(conversation.Token).GetClaim("user").Value;
        var baseUrl = $"ws://{server.BaseAddress.Authority}/v3/directline/conversations/{conversation.ConversationId}/stream";

        var expired = DirectLineTestClient.MintToken(DirectLineTestClient.SigningKey, conversation.ConversationId, user, DateTime.UtcNow.AddMinutes(-1), DirectLineTokens.StreamAudience);
        var restToken = conversation.Token; // a REST token is not a stream token
        foreach (var (query, status) in new[] { ("", HttpStatusCode.Unauthorized), ($"?t={expired}", HttpStatusCode.Forbidden), ($"?t={restToken}", HttpStatusCode.Unauthorized) })
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(baseUrl + query), CancellationToken.None));
            Assert.Equal(status, socket.HttpStatusCode);
        }

        var unknown = DirectLineTestClient.MintToken(DirectLineTestClient.SigningKey, "no-such-conversation", user, DateTime.UtcNow.AddMinutes(5), DirectLineTokens.StreamAudience);
        using var missing = new ClientWebSocket();
        missing.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => missing.ConnectAsync(new Uri($"ws://{server.BaseAddress.Authority}/v3/directline/conversations/no-such-conversation/stream?t={unknown}"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, missing.HttpStatusCode);
    }

    private static long Sequence(string id) => long.Parse(id[(id.IndexOf('|', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
}
