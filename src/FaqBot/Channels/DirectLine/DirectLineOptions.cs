using Microsoft.Extensions.Options;

namespace FaqBot.Channels.DirectLine;

/// <summary>The "DirectLine" section of appsettings.json: tokens, limits and rate limits of the chat channel.</summary>
public sealed class DirectLineOptions
{
    public const string Section = "DirectLine";

    /// <summary>
    /// Bot-wide secret for server-to-server use (<c>tokens/generate</c>, starting conversations).
    /// Empty (the default) disables secret access; the page gets tokens from <c>POST /api/directline/token</c>.
    /// </summary>
    public string Secret { get; set; } = "";

    /// <summary>
    /// Base64 HS256 key (at least 32 bytes) that signs tokens. Empty (the default): a random key is
    /// generated at first start and kept in the database under data/, so tokens survive restarts.
    /// Set it (e.g. env <c>DirectLine__SigningKey</c>) when several instances share conversations.
    /// </summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Lifetime of conversation tokens. Web Chat refreshes every 15 minutes, so at least 1800.</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Lifetime of the token inside a <c>streamUrl</c>: the time a client has to open the socket.</summary>
    public int StreamTokenLifetimeSeconds { get; set; } = 60;

    /// <summary>Longest message text accepted, in UTF-16 code units (what browsers count).</summary>
    public int MaxTextLength { get; set; } = 4000;

    /// <summary>Largest request body accepted under /v3/directline.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    public DirectLineRateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>
/// Fixed-window limits. Calls that carry a token (or secret) count against that credential; calls
/// without one (getting a token for the page) count against the caller's address.
/// </summary>
public sealed class DirectLineRateLimitOptions
{
    public int PermitsPerToken { get; set; } = 300;
    public int PermitsPerAddress { get; set; } = 60;
    public int WindowSeconds { get; set; } = 60;
}

/// <summary>Checks the section on start so a misconfiguration stops the server with a clear message.</summary>
public sealed class DirectLineOptionsValidator : IValidateOptions<DirectLineOptions>
{
    public ValidateOptionsResult Validate(string? name, DirectLineOptions options)
    {
        var failures = new List<string>();
        if (options.Secret.Length is > 0 and < 32)
        {
            failures.Add("DirectLine:Secret must be at least 32 characters (or empty to disable secret access).");
        }

        if (options.SigningKey.Length > 0 && DecodeKey(options.SigningKey) is not { Length: >= 32 })
        {
            failures.Add("DirectLine:SigningKey must be base64 of at least 32 bytes (or empty to generate one under data/).");
        }

        if (options.TokenLifetimeSeconds is < 1800 or > 86400)
        {
            failures.Add("DirectLine:TokenLifetimeSeconds must be between 1800 and 86400 (Web Chat refreshes every 15 minutes).");
        }

        if (options.StreamTokenLifetimeSeconds is < 10 or > 600)
        {
            failures.Add("DirectLine:StreamTokenLifetimeSeconds must be between 10 and 600.");
        }

        if (options.MaxTextLength < 1)
        {
            failures.Add("DirectLine:MaxTextLength must be positive.");
        }

        if (options.MaxBodyBytes < 1024)
        {
            failures.Add("DirectLine:MaxBodyBytes must be at least 1024.");
        }

        if (options.RateLimit.PermitsPerToken < 1 || options.RateLimit.PermitsPerAddress < 1 || options.RateLimit.WindowSeconds < 1)
        {
            failures.Add("DirectLine:RateLimit permits and window must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static byte[]? DecodeKey(string base64)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
