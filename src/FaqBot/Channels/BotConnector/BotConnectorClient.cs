using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FaqBot.Conversation;
using FaqBot.Schema;
using Microsoft.Extensions.Options;

namespace FaqBot.Channels.BotConnector;

/// <summary>
/// Sends activities to a channel's Connector service: <c>POST {serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]</c>
/// (segments URL-encoded: Direct Line ids contain '|'), with an AAD token when the app id and password are configured.
/// </summary>
public sealed class BotConnectorClient(IHttpClientFactory http, IOptions<BotConnectorOptions> options, TimeProvider time) : IDisposable
{
    private readonly BotConnectorOptions _options = options.Value;
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private (string Token, DateTimeOffset Expires)? _token;

    public async Task<HttpResponseMessage> SendAsync(ConversationReference reference, Activity activity, string? replyToChannelId, CancellationToken ct)
    {
        var body = JsonSerializerNode(activity with
        {
            Id = null,
            Timestamp = null,
            From = null,
            Recipient = null,
            Conversation = null,
            ReplyToId = replyToChannelId,
            ChannelId = reference.ChannelId,
            ServiceUrl = reference.ServiceUrl,
            Locale = activity.Locale ?? reference.Locale,
        });
        body["from"] = reference.Bot.DeepClone();
        body["recipient"] = reference.User.DeepClone();
        body["conversation"] = reference.Conversation.DeepClone();

        var conversationId = reference.Conversation["id"]!.GetValue<string>();
        var url = $"{reference.ServiceUrl.TrimEnd('/')}/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities"
            + (replyToChannelId is null ? "" : "/" + Uri.EscapeDataString(replyToChannelId));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: ActivityJson.Options) };
        if (_options.SignsReplies)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await GetTokenAsync(ct));
        }

        return await http.CreateClient(BotConnectorSetup.HttpClientName).SendAsync(request, ct);
    }

    public void Dispose() => _tokenGate.Dispose();

    private static JsonObject JsonSerializerNode(Activity activity) =>
        System.Text.Json.JsonSerializer.SerializeToNode(activity, ActivityJson.Options)!.AsObject();

    /// <summary>Client-credentials token for api.botframework.com, cached until 5 minutes before it expires.</summary>
    private async Task<string> GetTokenAsync(CancellationToken ct)
    {
        await _tokenGate.WaitAsync(ct);
        try
        {
            if (_token is { } cached && cached.Expires > time.GetUtcNow())
            {
                return cached.Token;
            }

            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = _options.MicrosoftAppId,
                ["client_secret"] = _options.MicrosoftAppPassword,
                ["scope"] = _options.OAuthScope,
            });
            using var response = await http.CreateClient(BotConnectorSetup.HttpClientName).PostAsync(new Uri(_options.TokenEndpoint), form, ct);
            response.EnsureSuccessStatusCode();
            var token = await response.Content.ReadFromJsonAsync<TokenResponse>(ct)
                ?? throw new InvalidOperationException("The token endpoint answered no token.");
            _token = (token.AccessToken, time.GetUtcNow().AddSeconds(Math.Max(60, token.ExpiresIn - 300)));
            return token.AccessToken;
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
