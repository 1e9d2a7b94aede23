using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FaqBot.Channels.DirectLine;
using FaqBot.Tests.Channels.DirectLine;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Data.Sqlite;

namespace FaqBot.Tests.Security;

/// <summary>
/// The probe's bad inputs against every route that takes a body or an id: malformed and deeply nested
/// JSON, invalid UTF-8, lone surrogates, 1 MB bodies, the wrong Content-Type, unknown fields, planted
/// entities, traversal ids and absurd watermarks. Each gets a clear 4xx (never a 500) and nothing of it
/// is stored (checked in the database file itself).
/// </summary>
public sealed class BadInputFixture : IAsyncLifetime
{
    public const string Secret = "a-direct-line-secret-of-at-least-32-characters";

    public FaqBotServer Server { get; private set; } = null!;

    internal DirectLineTestClient Client { get; private set; } = null!;

    internal StaffClient Staff { get; private set; } = null!;

    public ConversationResponse Conversation { get; private set; } = null!;

    public string Queued { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = new FaqBotServer(new Dictionary<string, string?>
        {
            ["DirectLine:Secret"] = Secret,
            ["DirectLine:RateLimit:PermitsPerAddress"] = "100000",
            ["RateLimits:Ask:PermitLimit"] = "100000",
            ["RateLimits:SignIn:PermitLimit"] = "100000",
            ["RateLimits:BotConnector:PermitLimit"] = "100000",
            ["Staff:FreeSignInsPerAddress"] = "100000",
        });
        Client = new DirectLineTestClient(Server);
        Conversation = await Client.StartAsync();
        await StaffKit.AddStaffAsync(Server, "sam@clinic.example", "Sam", Handoff.StaffRoles.Admin);
        Staff = await StaffKit.SignInAsync(Server, "sam@clinic.example");
        Queued = await StaffKit.QueueAsync(Server);
    }

    public async Task DisposeAsync()
    {
        Staff.Dispose();
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

public sealed class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    private const string Marker = "PROBE-7f3a";
    private const string Secret = BadInputFixture.Secret;
    private readonly FaqBotServer _server = fixture.Server;
    private readonly DirectLineTestClient _client = fixture.Client;
    private readonly StaffClient _staff = fixture.Staff;
    private readonly ConversationResponse _conversation = fixture.Conversation;
    private readonly string _queued = fixture.Queued;

    /// <summary>Bodies every JSON route must refuse.</summary>
    public static TheoryData<string> BadBodies => new() { "malformed", "nested", "invalid-utf8", "lone-surrogate", "one-megabyte", "wrong-content-type", "not-an-object" };

    private static (byte[] Body, string ContentType) Body(string kind, string textField = "text") => kind switch
    {
        "malformed" => (Encoding.UTF8.GetBytes($$"""{"type":"message","{{textField}}":"{{Marker}}" """), "application/json"),
        "nested" => (Encoding.UTF8.GetBytes($$"""{"type":"message","{{textField}}":"{{Marker}}","value":""" + new string('[', 5000) + new string(']', 5000) + "}"), "application/json"),
        "invalid-utf8" => ([.. Encoding.UTF8.GetBytes($$"""{"type":"message","{{textField}}":"{{Marker}} """), 0xff, 0xfe, 0xc3, .. Encoding.UTF8.GetBytes("\"}")], "application/json"),
        "lone-surrogate" => (Encoding.UTF8.GetBytes($$"""{"type":"message","{{textField}}":"{{Marker}} hi \ud800"}"""), "application/json"),
        "one-megabyte" => (Encoding.UTF8.GetBytes($$"""{"type":"message","{{textField}}":"{{Marker}}{{new string('a', 1024 * 1024)}}"}"""), "application/json"),
        "wrong-content-type" => (Encoding.UTF8.GetBytes($$"""{"type":"message","{{textField}}":"{{Marker}}"}"""), "text/plain"),
        "not-an-object" => (Encoding.UTF8.GetBytes($$"""["{{Marker}}"]"""), "application/json"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Direct_line_refuses_bad_bodies_with_its_error_body_and_stores_nothing(string kind)
    {
        var (body, type) = Body(kind);
        foreach (var (path, credential) in new[]
        {
            ($"conversations/{_conversation.ConversationId}/activities", _conversation.Token),
            ("conversations", _conversation.Token),
            ("tokens/generate", Secret),
        })
        {
            using var response = await SendAsync(HttpMethod.Post, "/v3/directline/" + path, body, type, credential);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{kind} on {path}: {(int)response.StatusCode} {text}");
            Assert.False(string.IsNullOrWhiteSpace(JsonNode.Parse(text)!["error"]!["message"]!.GetValue<string>()), text);
        }

        Assert.Equal(0, await CountRowsWithAsync(Marker));
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Api_messages_ask_and_sign_in_refuse_bad_bodies_with_problem_details(string kind)
    {
        foreach (var (path, field) in new[] { ("/api/messages", "text"), ("/api/ask", "question"), ("/api/staff/login", "email") })
        {
            var (body, type) = Body(kind, field);
            using var response = await SendAsync(HttpMethod.Post, path, body, type);
            await AssertProblemAsync(response, $"{kind} on {path}");
        }

        Assert.Equal(0, await CountRowsWithAsync(Marker));
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Staff_routes_refuse_bad_bodies_with_problem_details(string kind)
    {
        foreach (var path in new[] { $"/api/staff/conversations/{_queued}/messages", "/api/staff/admin/throttles/clear" })
        {
            var (body, type) = Body(kind);
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            request.Headers.Add(FaqBot.Staff.StaffEndpoints.CsrfHeader, _staff.Me.CsrfToken);
            using var response = await _staff.Http.SendAsync(request);
            await AssertProblemAsync(response, $"{kind} on {path}");
        }

        Assert.Equal(0, await CountRowsWithAsync(Marker));
    }

    [Fact]
    public async Task Unknown_fields_and_planted_entities_are_dropped_before_storing()
    {
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["text"] = "what should I bring?",
            ["zzz"] = new string('z', 60_000),
            ["callerId"] = "urn:botframework:azure",
            ["entities"] = new JsonArray(
                new JsonObject { ["type"] = "https://schema.org/Message", ["@type"] = "Message", ["citation"] = new JsonArray(new JsonObject { ["@type"] = "Claim", ["appearance"] = new JsonObject { ["text"] = Marker } }) },
                new JsonObject { ["type"] = "ClientCapabilities", ["requiresBotState"] = true, ["supportsTts"] = Marker }),
            ["channelData"] = new JsonObject { ["clientActivityID"] = "c-1", ["planted"] = Marker },
            ["attachmentLayout"] = Marker,
            ["serviceUrl"] = "https://attacker.example/" + Marker,
        };
        using var response = await _client.SendAsync(HttpMethod.Post, $"conversations/{_conversation.ConversationId}/activities", _conversation.Token, activity.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(0, await CountRowsWithAsync(Marker));
        Assert.Equal(0, await CountRowsWithAsync("zzz"));
        Assert.Equal(0, await CountRowsWithAsync("callerId"));
        var stored = (await _client.GetActivitiesAsync(_conversation.Token, _conversation.ConversationId)).Activities.Single(a => a.Text == "what should I bring?");
        Assert.Equal("c-1", stored.ChannelData!["clientActivityID"]!.GetValue<string>()); // Web Chat still matches its echo
        var capabilities = Assert.Single(stored.Entities!);
        Assert.Equal("""{"type":"ClientCapabilities","requiresBotState":true}""", capabilities.ToJsonString());
    }

    [Fact]
    public async Task Traversal_ids_are_not_found_or_forbidden_never_an_error_and_never_echoed()
    {
        foreach (var id in new[] { "..%2F..%2Fetc%2Fpasswd", "%2E%2E", "a%00b", "..", new string('x', 5000), "%F0%9F%92%A9" })
        {
            foreach (var (method, path, credential) in new[]
            {
                (HttpMethod.Get, $"/v3/directline/conversations/{id}/activities", Secret),
                (HttpMethod.Get, $"/v3/directline/conversations/{id}", _conversation.Token),
                (HttpMethod.Post, $"/v3/directline/conversations/{id}/activities", Secret),
            })
            {
                using var response = await SendAsync(method, path, method == HttpMethod.Post ? Encoding.UTF8.GetBytes("""{"type":"message","text":"hi"}""") : null, "application/json", credential);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
                Assert.DoesNotContain("passwd", text, StringComparison.Ordinal);
            }

            using var staff = await _staff.Http.GetAsync(new Uri($"/api/staff/conversations/{id}", UriKind.Relative));
            Assert.True(staff.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"staff {id}: {(int)staff.StatusCode}");
        }
    }

    [Fact]
    public async Task Absurd_watermarks_get_400_or_an_empty_page()
    {
        foreach (var watermark in new[] { "-1", "1e9", "NaN", "99999999999999999999999999", "0x10", "%00", "1.5", new string('9', 5000) })
        {
            foreach (var path in new[] { $"conversations/{_conversation.ConversationId}/activities", $"conversations/{_conversation.ConversationId}" })
            {
                using var response = await _client.SendAsync(HttpMethod.Get, $"{path}?watermark={watermark}", _conversation.Token);
                await DirectLineTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, DirectLineError.BadArgument);
            }
        }

        var beyond = await _client.GetActivitiesAsync(_conversation.Token, _conversation.ConversationId, long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(beyond.Activities);
    }

    [Fact]
    public async Task A_feedback_event_with_non_string_ids_is_ignored_without_a_turn_failure()
    {
        var before = (await _client.GetActivitiesAsync(_conversation.Token, _conversation.ConversationId)).Activities.Count;
        const string feedback = """{"type":"event","name":"webchat:activity-status/feedback","entities":[{"@type":5,"@id":{"x":1}}]}""";
        using var response = await _client.SendAsync(HttpMethod.Post, $"conversations/{_conversation.ConversationId}/activities", _conversation.Token, feedback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var after = (await _client.GetActivitiesAsync(_conversation.Token, _conversation.ConversationId)).Activities;
        Assert.Equal(before + 1, after.Count); // the event itself, and no "something went wrong" reply
        Assert.DoesNotContain(after, a => a.Text?.Contains("went wrong", StringComparison.Ordinal) == true);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body, string contentType, string? bearer = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await _client.Http.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"] ?? (string?)problem["title"]), text);
    }

    /// <summary>Rows of any table whose text holds <paramref name="needle"/>, read straight from the database file.</summary>
    private async Task<long> CountRowsWithAsync(string needle) => await DatabaseProbe.CountRowsContainingAsync(_server.DatabasePath, needle);
}

/// <summary>Reads the SQLite file directly: every text column of every table, searched for a string.</summary>
internal static class DatabaseProbe
{
    /// <summary>For failure messages: each table with rows holding <paramref name="needle"/>.</summary>
    public static async Task<string> DescribeAsync(string databasePath, string needle)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var found = new List<string>();
        foreach (var table in new[] { "conversations", "activities", "feedback", "callbacks", "audit_log" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            try
            {
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var row = string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : reader.GetValue(i).ToString()));
                    if (row.Contains(needle, StringComparison.Ordinal))
                    {
                        found.Add($"{table}: {row[..Math.Min(300, row.Length)]}");
                    }
                }
            }
            catch (SqliteException)
            {
            }
        }

        return string.Join("\n", found);
    }

    public static async Task<long> CountRowsContainingAsync(string databasePath, string needle)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        long total = 0;
        foreach (var table in tables)
        {
            var columns = new List<string>();
            await using (var info = connection.CreateCommand())
            {
                info.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
                await using var reader = await info.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(0));
                }
            }

            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{table}\" WHERE {string.Join(" OR ", columns.Select(c => $"instr(CAST(\"{c}\" AS TEXT), $needle) > 0"))}";
            count.Parameters.AddWithValue("$needle", needle);
            total += (long)(await count.ExecuteScalarAsync())!;
        }

        return total;
    }
}
