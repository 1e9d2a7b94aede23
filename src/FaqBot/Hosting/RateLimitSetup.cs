using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using FaqBot.Channels.DirectLine;
using Microsoft.Extensions.Options;

namespace FaqBot.Hosting;

/// <summary>One fixed window: <see cref="PermitLimit"/> requests per <see cref="WindowSeconds"/> from one address.</summary>
public sealed class FixedWindowLimit
{
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 30;

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;
}

/// <summary>
/// The "RateLimits" section: per-address limits of the anonymous routes besides Direct Line (which has
/// its own, per token, under <c>DirectLine:RateLimit</c>, also used by <c>/api/directline/token</c>).
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary><c>POST /api/ask</c>.</summary>
    public FixedWindowLimit Ask { get; set; } = new() { PermitLimit = 30, WindowSeconds = 60 };

    /// <summary><c>POST /api/staff/login</c> (on top of the per-account and per-address sign-in throttle).</summary>
    public FixedWindowLimit SignIn { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };

    /// <summary><c>POST /api/messages</c>: Azure Bot Service calls from a few addresses, so generous.</summary>
    public FixedWindowLimit BotConnector { get; set; } = new() { PermitLimit = 600, WindowSeconds = 60 };
}

public static class RateLimitSetup
{
    public const string Ask = "ask";
    public const string SignIn = "sign-in";
    public const string BotConnector = "bot-connector";

    /// <summary>ASP.NET Core's rate limiter for the anonymous routes; 429 with Retry-After in the path's error dialect.</summary>
    public static IServiceCollection AddAnonymousRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddRateLimiter(options =>
        {
            options.OnRejected = DirectLineRateLimit.RejectAsync;
            options.AddPolicy(Ask, context => PerAddress(context, o => o.Ask));
            options.AddPolicy(SignIn, context => PerAddress(context, o => o.SignIn));
            options.AddPolicy(BotConnector, context => PerAddress(context, o => o.BotConnector));
        });
        return services;
    }

    private static RateLimitPartition<string> PerAddress(HttpContext context, Func<RateLimitOptions, FixedWindowLimit> pick)
    {
        var limit = pick(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = TimeSpan.FromSeconds(limit.WindowSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
    {
        public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
        {
            var failures = new List<string>();
            foreach (var (key, limit) in new[] { ("Ask", options.Ask), ("SignIn", options.SignIn), ("BotConnector", options.BotConnector) })
            {
                var results = new List<ValidationResult>();
                if (!Validator.TryValidateObject(limit, new ValidationContext(limit), results, validateAllProperties: true))
                {
                    failures.AddRange(results.Select(r => $"RateLimits:{key}: {r.ErrorMessage}"));
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
