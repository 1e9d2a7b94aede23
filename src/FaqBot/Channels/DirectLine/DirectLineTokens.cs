using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using FaqBot.Storage;
using FaqBot.Storage.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FaqBot.Channels.DirectLine;

/// <summary>Who is calling: the holder of the bot-wide secret, or of a token for one conversation and one user.</summary>
public sealed record DirectLineCaller(bool IsSecret, string? ConversationId, string? UserId)
{
    /// <summary>The caller that <see cref="DirectLineAuthenticationHandler"/> put on the request's identity, or null.</summary>
    public static DirectLineCaller? From(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity is not { IsAuthenticated: true, AuthenticationType: DirectLineAuthenticationHandler.SchemeName })
        {
            return null;
        }

        return principal.HasClaim(DirectLineAuthenticationHandler.SecretClaim, "true")
            ? new DirectLineCaller(true, null, null)
            : new DirectLineCaller(false, principal.FindFirstValue(DirectLineTokens.ConversationClaim), principal.FindFirstValue(DirectLineTokens.UserClaim));
    }
}

/// <summary>What checking a credential gave: a caller, or the error to answer with.</summary>
public readonly record struct DirectLineAuth(DirectLineCaller? Caller, Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ErrorResponse>? Error);

/// <summary>
/// Issues and checks Direct Line tokens: HS256 JWTs with <c>conv</c>, <c>user</c> (always <c>dl_…</c>)
/// and <c>exp</c>. Conversation tokens (audience <c>directline</c>) authorize REST calls; stream tokens
/// (audience <c>directline-stream</c>) only open the WebSocket and live briefly, since URLs end up in logs.
/// </summary>
public sealed class DirectLineTokens(IOptions<DirectLineOptions> options, DirectLineSigningKey signingKey, TimeProvider time)
{
    public const string Issuer = "faqbot-directline";
    public const string ConversationAudience = "directline";
    public const string StreamAudience = "directline-stream";
    public const string ConversationClaim = "conv";
    public const string UserClaim = "user";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly DirectLineOptions _options = options.Value;

    /// <summary>The checks of both token kinds, made once (the key never changes in a process): every REST call and
    /// stream opens with a token check, and a new set of parameters each time was a large share of a message's allocations.</summary>
    private readonly Lazy<Task<Validation>> _validation = new(() => ValidationAsync(signingKey));

    public int TokenLifetimeSeconds => _options.TokenLifetimeSeconds;

    public static string NewConversationId() => Base64Url(RandomNumberGenerator.GetBytes(16));

    public static string NewUserId() => "dl_" + Base64Url(RandomNumberGenerator.GetBytes(12));

    public Task<string> IssueConversationTokenAsync(string conversationId, string userId) =>
        IssueAsync(conversationId, userId, ConversationAudience, _options.TokenLifetimeSeconds);

    public Task<string> IssueStreamTokenAsync(string conversationId, string userId) =>
        IssueAsync(conversationId, userId, StreamAudience, _options.StreamTokenLifetimeSeconds);

    /// <summary>
    /// Checks a bearer credential: 401 when missing, forged or garbage, 403 <c>TokenExpired</c> when
    /// expired, 403 when it belongs to another conversation than <paramref name="conversationId"/>.
    /// </summary>
    public async Task<DirectLineAuth> AuthenticateAsync(string? credential, string? conversationId, bool stream = false)
    {
        if (string.IsNullOrEmpty(credential))
        {
            return Fail(StatusCodes.Status401Unauthorized, DirectLineError.Unauthorized,
                stream ? "The stream URL has no token (t=...)." : "Missing Authorization: Bearer header with a Direct Line token or secret.");
        }

        if (!stream && IsSecret(credential))
        {
            return new(new DirectLineCaller(true, null, null), null);
        }

        var validation = await _validation.Value;
        var result = await Handler.ValidateTokenAsync(credential, stream ? validation.Stream : validation.Conversation);
        if (!result.IsValid)
        {
            return result.Exception is SecurityTokenExpiredException
                ? Fail(StatusCodes.Status403Forbidden, DirectLineError.TokenExpired, "The token has expired. Start a new conversation or refresh the token before it expires.")
                : Fail(StatusCodes.Status401Unauthorized, DirectLineError.Unauthorized, "The token is not valid.");
        }

        // Read from the token's payload: TokenValidationResult.Claims would build a dictionary of every claim per request.
        if (result.SecurityToken is not JsonWebToken token
            || !token.TryGetPayloadValue<string>(ConversationClaim, out var conv) || conv is null
            || !token.TryGetPayloadValue<string>(UserClaim, out var user) || user is null)
        {
            return Fail(StatusCodes.Status401Unauthorized, DirectLineError.Unauthorized, "The token is not valid.");
        }

        if (conversationId is not null && !string.Equals(conv, conversationId, StringComparison.Ordinal))
        {
            return Fail(StatusCodes.Status403Forbidden, DirectLineError.Forbidden, "This token belongs to another conversation.");
        }

        return new(new DirectLineCaller(false, conv, user), null);
    }

    private sealed record Validation(TokenValidationParameters Conversation, TokenValidationParameters Stream);

    private static async Task<Validation> ValidationAsync(DirectLineSigningKey signingKey)
    {
        var key = await signingKey.GetAsync();
        return new Validation(Parameters(key, ConversationAudience), Parameters(key, StreamAudience));

        static TokenValidationParameters Parameters(SecurityKey key, string audience) => new()
        {
            ValidIssuer = Issuer,
            ValidAudience = audience,
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.Zero,
        };
    }

    /// <summary>The bearer credential of a REST call, or null.</summary>
    public static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private bool IsSecret(string credential)
    {
        if (_options.Secret.Length == 0)
        {
            return false;
        }

        // Compare hashes so the comparison takes the same time whatever the lengths.
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(credential)),
            SHA256.HashData(Encoding.UTF8.GetBytes(_options.Secret)));
    }

    private async Task<string> IssueAsync(string conversationId, string userId, string audience, int lifetimeSeconds)
    {
        var key = await signingKey.GetAsync();
        var now = time.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(lifetimeSeconds),
            Subject = new ClaimsIdentity([new Claim(ConversationClaim, conversationId), new Claim(UserClaim, userId), new Claim("jti", Base64Url(RandomNumberGenerator.GetBytes(12)))]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static DirectLineAuth Fail(int status, string code, string message) => new(null, DirectLineError.Create(status, code, message));

    private static string Base64Url(byte[] bytes) => Base64UrlEncoder.Encode(bytes);
}

/// <summary>
/// The HS256 key that signs tokens: <c>DirectLine:SigningKey</c> when configured, otherwise a random key
/// generated once and kept, encrypted with ASP.NET Core Data Protection, in the keys folder
/// (<c>DataProtection:KeysPath</c>, default <c>data/keys</c>, 0700) - never beside the transcripts in the
/// database, so a copy of the database cannot mint tokens. Loaded once, on first use or at start.
/// </summary>
public sealed partial class DirectLineSigningKey
{
    public const string FileName = "directline-signing.key";
    public const string SecretName = "directline-signing-key";
    private readonly Lazy<Task<SymmetricSecurityKey>> _key;

    public DirectLineSigningKey(IOptions<DirectLineOptions> options, KeyFolder folder, IDataProtectionProvider protection, ILogger<DirectLineSigningKey> logger, ISecretStore? shared = null) =>
        _key = new(() => LoadAsync(options.Value, folder, protection.CreateProtector("FaqBot.DirectLine.SigningKey"), shared, logger));

    public Task<SymmetricSecurityKey> GetAsync() => _key.Value;

    private static async Task<SymmetricSecurityKey> LoadAsync(DirectLineOptions options, KeyFolder folder, IDataProtector protector, ISecretStore? shared, ILogger logger)
    {
        if (DirectLineOptionsValidator.DecodeKey(options.SigningKey) is { Length: >= 32 } configured)
        {
            return new SymmetricSecurityKey(configured);
        }

        if (shared is not null)
        {
            // Several instances (PostgreSQL): one key for all, created once by whichever instance comes first, protected
            // by the shared Data Protection key ring.
            var stored = await shared.GetOrCreateAsync(SecretName, () => protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
            return new SymmetricSecurityKey(Convert.FromBase64String(protector.Unprotect(stored)));
        }

        var path = Path.Combine(folder.Path, FileName);
        try
        {
            var generated = RandomNumberGenerator.GetBytes(32);
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = SqliteDatabase.FileMode;
            }

            await using (var file = new FileStream(path, create))
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteAsync(protector.Protect(Convert.ToBase64String(generated)));
            }

            LogGenerated(logger);
            return new SymmetricSecurityKey(generated);
        }
        catch (IOException) when (File.Exists(path))
        {
            return new SymmetricSecurityKey(Convert.FromBase64String(protector.Unprotect((await File.ReadAllTextAsync(path)).Trim())));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated a Direct Line signing key in the keys folder, protected by Data Protection (set DirectLine:SigningKey to manage it yourself)")]
    private static partial void LogGenerated(ILogger logger);
}

/// <summary>
/// The folder of secrets that are not configuration: the Data Protection key ring and the generated token
/// signing key. <c>DataProtection:KeysPath</c> (relative to the content root), created 0700.
/// </summary>
public sealed class KeyFolder
{
    public KeyFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        SqliteDatabase.CreatePrivateFolder(Path);
    }

    public string Path { get; }

    public static KeyFolder FromConfiguration(IConfiguration configuration, string root) =>
        new(System.IO.Path.Combine(root, configuration["DataProtection:KeysPath"] is { Length: > 0 } configured ? configured : "data/keys"));
}
