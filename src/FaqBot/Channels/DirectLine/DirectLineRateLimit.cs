using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FaqBot.Channels.DirectLine;

/// <summary>
/// The Direct Line rate limit (ASP.NET Core's rate limiter, fixed windows): a call that carries a
/// credential (Authorization bearer, or the stream's <c>t</c>) counts against that credential; a call
/// without one (the page asking for a token) counts against the caller's address. Rejections answer
/// 429 with <c>Retry-After</c> (seconds) in the dialect of the path.
/// </summary>
public sealed class DirectLineRateLimit(IOptions<DirectLineOptions> options) : IRateLimiterPolicy<string>
{
    public const string PolicyName = "directline";

    private readonly DirectLineRateLimitOptions _limits = options.Value.RateLimit;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    /// <summary>429 with <c>Retry-After</c> (seconds), in Direct Line's dialect under /v3/directline and as ProblemDetails elsewhere.</summary>
    public static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var message = $"Too many requests; please wait {seconds} second{(seconds == 1 ? "" : "s")} and try again.";
        if (http.Request.Path.StartsWithSegments("/v3/directline"))
        {
            await DirectLineError.WriteAsync(http, StatusCodes.Status429TooManyRequests, DirectLineError.TooManyRequests, message);
        }
        else
        {
            await TypedResults.Problem(message, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(http);
        }
    }

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var credential = DirectLineTokens.BearerOf(httpContext.Request) ?? httpContext.Request.Query["t"].ToString();
        return credential.Length > 0
            ? RateLimitPartition.GetFixedWindowLimiter("t:" + Hash(credential), _ => Window(_limits.PermitsPerToken))
            : RateLimitPartition.GetFixedWindowLimiter("a:" + httpContext.Connection.RemoteIpAddress, _ => Window(_limits.PermitsPerAddress));
    }

    private FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromSeconds(_limits.WindowSeconds),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    // Credentials are not kept as dictionary keys in memory.
    private static string Hash(string credential) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
}
