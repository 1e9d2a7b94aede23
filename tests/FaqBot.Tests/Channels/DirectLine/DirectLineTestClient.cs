using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaqBot.Channels.DirectLine;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>A plain HTTP client of the Direct Line API, the way directlinejs calls it.</summary>
internal sealed class DirectLineTestClient(FaqBotServer server) : IDisposable
{
    /// <summary>A fixed signing key for tests that mint their own (expired, foreign) tokens.</summary>
    public const string SigningKey = "ZmFxYm90LXRlc3RzLXNpZ25pbmcta2V5LTAxMjM0NTY3ODk=";

    public HttpClient Http { get; } = server.CreateHttpClient();

    public async Task<ConversationResponse> GetPageTokenAsync()
    {
        using var response = await Http.PostAsync(new Uri("/api/directline/token", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ConversationResponse>(ActivityJson.Options))!;
    }

    /// <summary>Gets a page token and starts its conversation, as Web Chat does.</summary>
    public async Task<ConversationResponse> StartAsync()
    {
        var page = await GetPageTokenAsync();
        using var response = await SendAsync(HttpMethod.Post, "conversations", page.Token, """{"user":{}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ConversationResponse>(ActivityJson.Options))!;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? credential, string? json = null)
    {
        var request = new HttpRequestMessage(method, new Uri("/v3/directline/" + path, UriKind.Relative));
        if (credential is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return Http.SendAsync(request);
    }

    public async Task<string> PostMessageAsync(string token, string conversationId, string text, string clientActivityId)
    {
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["text"] = text,
            ["from"] = new JsonObject { ["id"] = "someone-else", ["name"] = "Ann" },
            ["locale"] = "en-US",
            ["channelData"] = new JsonObject { ["clientActivityID"] = clientActivityId, ["attachmentSizes"] = new JsonArray() },
        };
        using var response = await SendAsync(HttpMethod.Post, $"conversations/{conversationId}/activities", token, activity.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ResourceResponse>(ActivityJson.Options))!.Id;
    }

    public async Task<ActivitySet> GetActivitiesAsync(string token, string conversationId, string? watermark = null)
    {
        using var response = await SendAsync(HttpMethod.Get, $"conversations/{conversationId}/activities" + (watermark is null ? "" : $"?watermark={watermark}"), token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ActivitySet>(ActivityJson.Options))!;
    }

    public void Dispose() => Http.Dispose();

    /// <summary>Asserts the status and Direct Line's error body <c>{"error":{"code","message"}}</c>.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
    }

    /// <summary>Signs a token with <paramref name="key"/> (base64), as the server would or as a forger would.</summary>
    public static string MintToken(string key, string conversationId, string userId, DateTime expires, string audience = DirectLineTokens.ConversationAudience)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = DirectLineTokens.Issuer,
            Audience = audience,
            NotBefore = expires.AddHours(-1),
            IssuedAt = expires.AddHours(-1),
            Expires = expires,
            Subject = new ClaimsIdentity([new Claim("conv", conversationId), new Claim("user", userId)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    public static JsonWebToken Read(string token) => new(token);

    public static JsonSerializerOptions Json => ActivityJson.Options;
}
