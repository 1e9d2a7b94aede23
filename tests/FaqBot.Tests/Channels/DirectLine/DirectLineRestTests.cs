using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FaqBot.Channels.DirectLine;
using FaqBot.Conversation;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>One server for the REST tests: each test starts its own conversations, so they do not interfere.</summary>
public sealed class DirectLineServerFixture : IAsyncLifetime
{
    public const string Secret = "a-direct-line-secret-of-at-least-32-characters";

    public FaqBotServer Server { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Server = new FaqBotServer(new Dictionary<string, string?>
        {
            ["DirectLine:SigningKey"] = DirectLineTestClient.SigningKey,
            ["DirectLine:Secret"] = Secret,
            ["DirectLine:RateLimit:PermitsPerAddress"] = "100000",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Every Direct Line route over real HTTP against the real server, with the gotchas of the protocol notes.</summary>
public sealed class DirectLineRestTests(DirectLineServerFixture fixture) : IClassFixture<DirectLineServerFixture>, IDisposable
{
    private const string Secret = DirectLineServerFixture.Secret;
    private readonly FaqBotServer _server = fixture.Server;
    private readonly DirectLineTestClient _client = new(fixture.Server);

    public void Dispose() => _client.Dispose();

    [Fact]
    public void The_json_dialect_is_frozen_when_made_so_concurrent_first_replies_cannot_race_to_set_its_resolver()
    {
        // TypedResults.Json sets a resolver on options that are not read-only yet; a serialization freezing them at the
        // same moment made one of two first requests fail with a 500 (seen in CI). Frozen at creation, nothing is set.
        var options = ActivityJson.Create();
        Assert.True(options.IsReadOnly);
        Assert.NotNull(options.TypeInfoResolver);
        Assert.Equal(System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull, options.DefaultIgnoreCondition);
        Assert.True(ActivityJson.Options.IsReadOnly);
        var result = Microsoft.AspNetCore.Http.TypedResults.Json(new ErrorResponse(new ErrorDetail("BadArgument", "x")), options);
        Assert.Same(options, result.JsonSerializerOptions);
    }

    [Fact]
    public async Task Page_token_is_a_signed_jwt_for_a_new_conversation_and_a_dl_user()
    {
        var page = await _client.GetPageTokenAsync();

        Assert.InRange(page.ExpiresIn, 1800, 86400);
        Assert.Null(page.StreamUrl);
        var jwt = DirectLineTestClient.Read(page.Token);
        Assert.Equal(page.ConversationId, jwt.GetClaim("conv").Value);
        Assert.StartsWith("dl_", jwt.GetClaim("user").Value, StringComparison.Ordinal);
        Assert.True(jwt.ValidTo > DateTime.UtcNow.AddMinutes(29));
        Assert.DoesNotContain('|', page.ConversationId);
    }

    [Fact]
    public async Task Page_token_is_refused_to_other_origins_with_problem_details()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/directline/token", UriKind.Relative));
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await _client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        using var same = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/directline/token", UriKind.Relative));
        same.Headers.Add("Origin", _server.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var allowed = await _client.Http.SendAsync(same);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Start_answers_201_with_token_and_absolute_stream_url_then_200_for_the_same_token()
    {
        var page = await _client.GetPageTokenAsync();

        using var first = await _client.SendAsync(HttpMethod.Post, "conversations", page.Token, """{"user":{}}""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var started = (await first.Content.ReadFromJsonAsync<ConversationResponse>(DirectLineTestClient.Json))!;
        Assert.Equal(page.ConversationId, started.ConversationId);
        Assert.NotEmpty(started.Token);
        Assert.InRange(started.ExpiresIn, 1800, 86400);
        var stream = new Uri(started.StreamUrl!);
        Assert.Equal("ws", stream.Scheme);
        Assert.Equal(_server.BaseAddress.Authority, stream.Authority);
        Assert.Equal($"/v3/directline/conversations/{page.ConversationId}/stream", stream.AbsolutePath);
        Assert.Contains("t=", stream.Query, StringComparison.Ordinal);

        using var again = await _client.SendAsync(HttpMethod.Post, "conversations", started.Token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(page.ConversationId, (await again.Content.ReadFromJsonAsync<ConversationResponse>(DirectLineTestClient.Json))!.ConversationId);
    }

    [Fact]
    public async Task Posted_message_is_stored_with_server_id_timestamp_role_and_channel_data_then_answered()
    {
        var conversation = await _client.StartAsync();
        var userId = DirectLineTestClient.Read(conversation.Token).GetClaim("user").Value;

        var welcome = await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId);
        var id = await _client.PostMessageAsync(conversation.Token, conversation.ConversationId, "hello there", "client-1");

        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(conversation.ConversationId)}\\|\\d{{7}}$", id);
        Assert.Equal(long.Parse(welcome.Watermark, System.Globalization.CultureInfo.InvariantCulture) + 1, Sequence(id));
        using var raw = await _client.SendAsync(HttpMethod.Get, $"conversations/{conversation.ConversationId}/activities?watermark={welcome.Watermark}", conversation.Token);
        var json = JsonNode.Parse(await raw.Content.ReadAsStringAsync())!;
        Assert.Equal("String", JsonValueKind(json["watermark"]));
        var activities = json["activities"]!.AsArray();
        var echo = activities[0]!;
        Assert.Equal(id, echo["id"]!.GetValue<string>());
        Assert.Equal("client-1", echo["channelData"]!["clientActivityID"]!.GetValue<string>());
        Assert.NotNull(echo["channelData"]!["attachmentSizes"]);
        Assert.Equal(userId, echo["from"]!["id"]!.GetValue<string>()); // the token's user wins over the client's
        Assert.Equal("user", echo["from"]!["role"]!.GetValue<string>());
        Assert.Equal("directline", echo["channelId"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", echo["timestamp"]!.GetValue<string>());
        Assert.Equal("en-US", echo["locale"]!.GetValue<string>());

        var reply = activities[1]!;
        Assert.Equal(Sequence(id) + 1, Sequence(reply["id"]!.GetValue<string>()));
        Assert.Equal("bot", reply["from"]!["role"]!.GetValue<string>());
        Assert.Equal(id, reply["replyToId"]!.GetValue<string>());
        Assert.True(string.CompareOrdinal(reply["timestamp"]!.GetValue<string>(), echo["timestamp"]!.GetValue<string>()) > 0);
        Assert.Equal(Sequence(activities[^1]!["id"]!.GetValue<string>()).ToString(System.Globalization.CultureInfo.InvariantCulture), json["watermark"]!.GetValue<string>());
        Assert.DoesNotContain(activities, a => a!["type"]!.GetValue<string>() == "typing");
    }

    [Fact]
    public async Task Get_activities_pages_from_the_watermark_and_keeps_it_when_nothing_is_new()
    {
        var conversation = await _client.StartAsync();
        await _client.PostMessageAsync(conversation.Token, conversation.ConversationId, "first", "c1");
        var all = await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId, watermark: ""); // directlinejs sends ?watermark=
        Assert.Contains(all.Activities, a => a.Text == "first");
        await _client.PostMessageAsync(conversation.Token, conversation.ConversationId, "second", "c2");

        var newer = await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId, all.Watermark);
        Assert.Equal("second", newer.Activities[0].Text);
        Assert.All(newer.Activities, a => Assert.True(Sequence(a.Id!) > long.Parse(all.Watermark, System.Globalization.CultureInfo.InvariantCulture)));

        var none = await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId, newer.Watermark);
        Assert.Empty(none.Activities);
        Assert.Equal(newer.Watermark, none.Watermark);

        using var bad = await _client.SendAsync(HttpMethod.Get, $"conversations/{conversation.ConversationId}/activities?watermark=abc", conversation.Token);
        await DirectLineTestClient.AssertErrorAsync(bad, HttpStatusCode.BadRequest, DirectLineError.BadArgument);
    }

    [Fact]
    public async Task Feedback_event_reaches_the_store_with_only_the_action_fields_web_chat_sends()
    {
        var conversation = await _client.StartAsync();
        const string feedback = """
            {"type":"event","name":"webchat:activity-status/feedback",
             "entities":[{"@id":"urn:feedback:x:like","@type":"LikeAction","type":"https://schema.org/LikeAction","object":{"@id":"custom"}}],
             "channelData":{"clientActivityID":"fb1"},"channelId":"webchat","from":{"id":"u1","name":"","role":"user"},
             "locale":"en-US","localTimestamp":"2025-01-01T10:00:05.017+02:00","localTimezone":"Europe/Berlin"}
            """;
        using var response = await _client.SendAsync(HttpMethod.Post, $"conversations/{conversation.ConversationId}/activities", conversation.Token, feedback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var stored = (await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId)).Activities.Single(a => a.Type == "event");
        Assert.Equal("webchat:activity-status/feedback", stored.Name);
        Assert.Equal(
            """[{"@type":"LikeAction","@id":"urn:feedback:x:like","type":"https://schema.org/LikeAction"}]""",
            JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(stored.Entities, ActivityJson.Options))!.ToJsonString());
        Assert.Equal("2025-01-01T10:00:05.017+02:00", stored.LocalTimestamp);
        Assert.Equal("fb1", stored.ChannelData!["clientActivityID"]!.GetValue<string>());
    }

    [Fact]
    public async Task Feedback_on_an_answer_records_the_passages_it_quoted_which_the_conversation_state_does_not_keep()
    {
        var conversation = await _client.StartAsync();
        var (asked, quoted, dislikeId) = await AnswerAsync(conversation, "can I drive afterward?", "q1");
        // A second answer after it: feedback must find the first one's reply, not the latest.
        await AnswerAsync(conversation, "what does it feel like?", "q2");

        await SendFeedbackAsync(conversation, dislikeId);

        var store = _server.Services.GetRequiredService<IConversationStore>();
        var stored = Assert.Single(await store.GetFeedbackAsync(conversation.ConversationId));
        Assert.Equal(("dislike", "can I drive afterward?"), (stored.Reaction, stored.Question));
        Assert.Equal(quoted, stored.CitedPassages);
        Assert.Equal(asked, (await store.GetAsync(conversation.ConversationId))!.Answers[0].ReplyTo);
        Assert.DoesNotContain(quoted[0], await StateJsonAsync(conversation.ConversationId), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_on_an_answer_remembered_before_replies_were_linked_finds_its_quotes_in_the_transcript()
    {
        var conversation = await _client.StartAsync();
        await AnswerAsync(conversation, "what does it feel like?", "q1");
        var (_, quoted, dislikeId) = await AnswerAsync(conversation, "can I drive afterward?", "q2");
        // The state as an older FaqBot saved it: each answer kept a copy of its quotes and no link to its message.
        await ExecuteAsync(
            "UPDATE conversations SET state_json = json_set(json_remove(state_json, '$.answers[1].replyTo', '$.answers[0].replyTo'), '$.answers[1].passages', json_array('an old copy')) WHERE id = $id",
            conversation.ConversationId);

        await SendFeedbackAsync(conversation, dislikeId);

        var stored = Assert.Single(await _server.Services.GetRequiredService<IConversationStore>().GetFeedbackAsync(conversation.ConversationId));
        Assert.Equal("can I drive afterward?", stored.Question);
        Assert.Equal(quoted, stored.CitedPassages);
    }

    /// <summary>Asks a question the articles answer; returns the message's id, the reply's quotes and its thumbs-down action id.</summary>
    private async Task<(string Asked, List<string> Quoted, string DislikeId)> AnswerAsync(ConversationResponse conversation, string question, string clientId)
    {
        var asked = await _client.PostMessageAsync(conversation.Token, conversation.ConversationId, question, clientId);
        var answer = (await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId)).Activities
            .Single(a => a.ReplyToId == asked && a.Entities is { Count: > 0 });
        var message = answer.Entities!.Single(e => e["@type"]?.GetValue<string>() == "Message");
        var quoted = message["citation"]!.AsArray().Select(c => c!["text"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(quoted);
        var dislikeId = message["potentialAction"]!.AsArray().Select(a => a!["@id"]!.GetValue<string>()).Single(id => id.EndsWith(":dislike", StringComparison.Ordinal));
        return (asked, quoted, dislikeId);
    }

    private async Task SendFeedbackAsync(ConversationResponse conversation, string actionId)
    {
        var feedback = $$"""
            {"type":"event","name":"webchat:activity-status/feedback","from":{"id":"u1","role":"user"},
             "entities":[{"@id":"{{actionId}}","@type":"DislikeAction","type":"https://schema.org/DislikeAction"}]}
            """;
        using var response = await _client.SendAsync(HttpMethod.Post, $"conversations/{conversation.ConversationId}/activities", conversation.Token, feedback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> StateJsonAsync(string conversationId)
    {
        await using var connection = new SqliteConnection($"Data Source={_server.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state_json FROM conversations WHERE id = $id";
        command.Parameters.AddWithValue("$id", conversationId);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql, string conversationId)
    {
        await using var connection = new SqliteConnection($"Data Source={_server.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", conversationId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task Reconnect_returns_a_new_token_and_a_stream_url_from_the_watermark()
    {
        var conversation = await _client.StartAsync();

        using var response = await _client.SendAsync(HttpMethod.Get, $"conversations/{conversation.ConversationId}?watermark=7", conversation.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reconnect = (await response.Content.ReadFromJsonAsync<ConversationResponse>(DirectLineTestClient.Json))!;
        Assert.NotEmpty(reconnect.Token);
        Assert.Contains("watermark=7", reconnect.StreamUrl, StringComparison.Ordinal);
        Assert.StartsWith($"ws://{_server.BaseAddress.Authority}/", reconnect.StreamUrl, StringComparison.Ordinal);

        using var empty = await _client.SendAsync(HttpMethod.Get, $"conversations/{conversation.ConversationId}?watermark=", conversation.Token);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
    }

    [Fact]
    public async Task Refresh_returns_a_new_token_for_the_same_conversation_and_user()
    {
        var conversation = await _client.StartAsync();

        using var response = await _client.SendAsync(HttpMethod.Post, "tokens/refresh", conversation.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refreshed = (await response.Content.ReadFromJsonAsync<ConversationResponse>(DirectLineTestClient.Json))!;
        Assert.Equal(conversation.ConversationId, refreshed.ConversationId);
        Assert.InRange(refreshed.ExpiresIn, 1800, 86400);
        Assert.Equal(DirectLineTestClient.Read(conversation.Token).GetClaim("user").Value, DirectLineTestClient.Read(refreshed.Token).GetClaim("user").Value);
        await _client.PostMessageAsync(refreshed.Token, conversation.ConversationId, "still here", "c1");
    }

    [Fact]
    public async Task Generate_with_the_secret_gives_a_token_whose_user_starts_with_dl()
    {
        using var response = await _client.SendAsync(HttpMethod.Post, "tokens/generate", Secret, """{"user":{"id":"patient-7","name":"Ann"}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var generated = (await response.Content.ReadFromJsonAsync<ConversationResponse>(DirectLineTestClient.Json))!;
        Assert.Equal("dl_patient-7", DirectLineTestClient.Read(generated.Token).GetClaim("user").Value);
        Assert.Equal(generated.ConversationId, DirectLineTestClient.Read(generated.Token).GetClaim("conv").Value);

        using var withToken = await _client.SendAsync(HttpMethod.Post, "tokens/generate", generated.Token);
        await DirectLineTestClient.AssertErrorAsync(withToken, HttpStatusCode.Forbidden, DirectLineError.Forbidden);

        using var badUser = await _client.SendAsync(HttpMethod.Post, "tokens/generate", Secret, """{"user":{"id":"<script>"}}""");
        await DirectLineTestClient.AssertErrorAsync(badUser, HttpStatusCode.BadRequest, DirectLineError.BadArgument);
    }

    [Fact]
    public async Task The_secret_starts_new_conversations_and_reads_any()
    {
        using var start = await _client.SendAsync(HttpMethod.Post, "conversations", Secret);
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var conversation = (await start.Content.ReadFromJsonAsync<ConversationResponse>(DirectLineTestClient.Json))!;

        await _client.PostMessageAsync(Secret, conversation.ConversationId, "from a server", "s1");
        var set = await _client.GetActivitiesAsync(Secret, conversation.ConversationId);
        Assert.Equal("from a server", set.Activities.Single(a => a.From?.Role == RoleTypes.User).Text);

        using var unknown = await _client.SendAsync(HttpMethod.Get, "conversations/no-such-conversation", Secret);
        await DirectLineTestClient.AssertErrorAsync(unknown, HttpStatusCode.NotFound, DirectLineError.NotFound);
        using var unknownPost = await _client.SendAsync(HttpMethod.Post, "conversations/no-such-conversation/activities", Secret, """{"type":"message","text":"hi"}""");
        await DirectLineTestClient.AssertErrorAsync(unknownPost, HttpStatusCode.NotFound, DirectLineError.NotFound);
        using var unknownGet = await _client.SendAsync(HttpMethod.Get, "conversations/no-such-conversation/activities", Secret);
        await DirectLineTestClient.AssertErrorAsync(unknownGet, HttpStatusCode.NotFound, DirectLineError.NotFound);
    }

    [Fact]
    public async Task The_token_of_conversation_A_cannot_read_or_post_to_conversation_B()
    {
        var a = await _client.StartAsync();
        var b = await _client.StartAsync();
        await _client.PostMessageAsync(b.Token, b.ConversationId, "private to B", "b1");
        var bStream = new Uri(b.StreamUrl!);

        var attempts = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, $"conversations/{b.ConversationId}", null),
            (HttpMethod.Get, $"conversations/{b.ConversationId}/activities", null),
            (HttpMethod.Post, $"conversations/{b.ConversationId}/activities", """{"type":"message","text":"intrusion"}"""),
            (HttpMethod.Post, $"conversations/{b.ConversationId}/upload", "{}"),
        };
        foreach (var (method, path, body) in attempts)
        {
            using var response = await _client.SendAsync(method, path, a.Token, body);
            await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.Forbidden, DirectLineError.Forbidden);
        }

        // A's stream token on B's stream.
        var aStreamToken = System.Web.HttpUtility.ParseQueryString(new Uri(a.StreamUrl!).Query)["t"];
        using var stream = await _client.Http.GetAsync(new Uri($"{bStream.AbsolutePath}?t={aStreamToken}", UriKind.Relative));
        await DirectLineTestClient.AssertErrorAsync(stream, HttpStatusCode.Forbidden, DirectLineError.Forbidden);

        var bActivities = await _client.GetActivitiesAsync(b.Token, b.ConversationId);
        Assert.DoesNotContain(bActivities.Activities, x => x.Text == "intrusion");
    }

    [Fact]
    public async Task Missing_forged_garbage_and_stream_tokens_get_401_and_expired_ones_403_TokenExpired()
    {
        var conversation = await _client.StartAsync();
        var path = $"conversations/{conversation.ConversationId}/activities";
        var user = DirectLineTestClient.Read(conversation.Token).GetClaim("user").Value;

        using (var missing = await _client.SendAsync(HttpMethod.Get, path, null))
        {
            await DirectLineTestClient.AssertErrorAsync(missing, HttpStatusCode.Unauthorized, DirectLineError.Unauthorized);
        }

        using (var garbage = await _client.SendAsync(HttpMethod.Get, path, "not-a-token"))
        {
            await DirectLineTestClient.AssertErrorAsync(garbage, HttpStatusCode.Unauthorized, DirectLineError.Unauthorized);
        }

        var forgedKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("someone-elses-key-of-32-bytes-or-more!!"));
        var forged = DirectLineTestClient.MintToken(forgedKey, conversation.ConversationId, user, DateTime.UtcNow.AddHours(1));
        using (var response = await _client.SendAsync(HttpMethod.Get, path, forged))
        {
            await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, DirectLineError.Unauthorized);
        }

        var streamToken = System.Web.HttpUtility.ParseQueryString(new Uri(conversation.StreamUrl!).Query)["t"];
        using (var response = await _client.SendAsync(HttpMethod.Get, path, streamToken))
        {
            await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, DirectLineError.Unauthorized);
        }

        var expired = DirectLineTestClient.MintToken(DirectLineTestClient.SigningKey, conversation.ConversationId, user, DateTime.UtcNow.AddMinutes(-5));
        foreach (var (method, route) in new[] { (HttpMethod.Get, path), (HttpMethod.Post, "tokens/refresh"), (HttpMethod.Get, $"conversations/{conversation.ConversationId}") })
        {
            using var response = await _client.SendAsync(method, route, expired);
            await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.Forbidden, DirectLineError.TokenExpired);
        }

        // The same claims, validly signed and not expired, are accepted: the key above is the server's.
        var valid = DirectLineTestClient.MintToken(DirectLineTestClient.SigningKey, conversation.ConversationId, user, DateTime.UtcNow.AddMinutes(30));
        using var ok = await _client.SendAsync(HttpMethod.Get, path, valid);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Too_long_text_is_refused_with_the_reason_and_not_stored()
    {
        var conversation = await _client.StartAsync();
        var path = $"conversations/{conversation.ConversationId}/activities";

        var longText = new string('a', 4001);
        using var response = await _client.SendAsync(HttpMethod.Post, path, conversation.Token, new JsonObject { ["type"] = "message", ["text"] = longText }.ToJsonString());
        await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, DirectLineError.MessageTooLong);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>();
        Assert.Contains("4,001", message, StringComparison.Ordinal);
        Assert.Contains("4,000", message, StringComparison.Ordinal);

        Assert.DoesNotContain((await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId)).Activities, a => a.From?.Role == RoleTypes.User);

        var id = await _client.PostMessageAsync(conversation.Token, conversation.ConversationId, new string('b', 4000), "exact");
        Assert.Contains((await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId)).Activities, a => a.Id == id && a.Text!.Length == 4000);
    }

    [Fact]
    public async Task Bad_bodies_get_400_413_and_clear_messages()
    {
        var conversation = await _client.StartAsync();
        var path = $"conversations/{conversation.ConversationId}/activities";

        var cases = new (string Body, HttpStatusCode Status, string Code)[]
        {
            ("{\"type\":\"message\",\"text\":", HttpStatusCode.BadRequest, DirectLineError.BadSyntax),
            ("[1,2]", HttpStatusCode.BadRequest, DirectLineError.BadSyntax),
            ("", HttpStatusCode.BadRequest, DirectLineError.BadSyntax),
            ("{\"type\":\"message\",\"text\":\"   \"}", HttpStatusCode.BadRequest, DirectLineError.BadArgument),
            ("{\"type\":\"conversationUpdate\"}", HttpStatusCode.BadRequest, DirectLineError.BadArgument),
            ("{\"type\":\"event\"}", HttpStatusCode.BadRequest, DirectLineError.BadArgument),
            ("{\"type\":\"message\",\"text\":\"hi\",\"attachments\":[{\"contentType\":\"image/png\",\"contentUrl\":\"data:,x\"}]}", HttpStatusCode.BadRequest, DirectLineError.NotSupported),
            ("{\"type\":\"message\",\"text\":\"" + new string('x', 70_000) + "\"}", HttpStatusCode.RequestEntityTooLarge, DirectLineError.PayloadTooLarge),
        };
        foreach (var (body, status, code) in cases)
        {
            using var response = await _client.SendAsync(HttpMethod.Post, path, conversation.Token, body);
            await DirectLineTestClient.AssertErrorAsync(response, status, code);
        }

        // Chunked (no Content-Length) and too large: still 413.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, new Uri("/v3/directline/" + path, UriKind.Relative))
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('{', 70_000)))),
        };
        chunked.Headers.Authorization = new("Bearer", conversation.Token);
        chunked.Headers.TransferEncodingChunked = true;
        using (var response = await _client.Http.SendAsync(chunked))
        {
            await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, DirectLineError.PayloadTooLarge);
        }

        Assert.DoesNotContain((await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId)).Activities, a => a.From?.Role == RoleTypes.User);
    }

    [Fact]
    public async Task Typing_is_accepted_but_not_stored()
    {
        var conversation = await _client.StartAsync();
        using var response = await _client.SendAsync(HttpMethod.Post, $"conversations/{conversation.ConversationId}/activities", conversation.Token, """{"type":"typing"}""");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.DoesNotContain((await _client.GetActivitiesAsync(conversation.Token, conversation.ConversationId)).Activities, a => a.From?.Role == RoleTypes.User);
    }

    [Fact]
    public async Task Upload_answers_a_clean_not_supported_error()
    {
        var conversation = await _client.StartAsync();
        using var content = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "scan.png" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v3/directline/conversations/{conversation.ConversationId}/upload?userId=x", UriKind.Relative)) { Content = content };
        request.Headers.Authorization = new("Bearer", conversation.Token);
        using var response = await _client.Http.SendAsync(request);
        await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, DirectLineError.NotSupported);
    }

    [Fact]
    public async Task Unknown_routes_wrong_methods_and_plain_http_on_the_stream_use_the_direct_line_error_body()
    {
        var conversation = await _client.StartAsync();

        using (var unknown = await _client.SendAsync(HttpMethod.Get, "session/getsessionid", conversation.Token))
        {
            await DirectLineTestClient.AssertErrorAsync(unknown, HttpStatusCode.NotFound, DirectLineError.NotFound);
        }

        using (var wrongMethod = await _client.SendAsync(HttpMethod.Delete, "conversations", conversation.Token))
        {
            await DirectLineTestClient.AssertErrorAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, DirectLineError.MethodNotAllowed);
        }

        var stream = new Uri(conversation.StreamUrl!);
        using (var plain = await _client.Http.GetAsync(new Uri(stream.PathAndQuery, UriKind.Relative)))
        {
            await DirectLineTestClient.AssertErrorAsync(plain, HttpStatusCode.BadRequest, DirectLineError.BadArgument);
        }

        using var noToken = await _client.Http.GetAsync(new Uri(stream.AbsolutePath, UriKind.Relative));
        await DirectLineTestClient.AssertErrorAsync(noToken, HttpStatusCode.Unauthorized, DirectLineError.Unauthorized);
    }

    private static string JsonValueKind(JsonNode? node) => node!.GetValueKind().ToString();

    private static long Sequence(string id) => long.Parse(id[(id.IndexOf('|', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
