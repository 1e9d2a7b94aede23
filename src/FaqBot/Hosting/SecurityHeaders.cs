namespace FaqBot.Hosting;

/// <summary>
/// The one place that sets security headers, on every response (pages, static files, APIs, errors):
/// a content security policy per surface, <c>nosniff</c>, no referrer, no framing; plus HSTS and the
/// redirect to HTTPS when Kestrel has an https endpoint (see README, Operations, HTTPS).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The staff console: only its own script and styles, nothing inline.</summary>
    public const string ConsolePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Article pages: no script at all, styles and images from this site only.</summary>
    public const string ArticlePolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>APIs and anything that is not a page: nothing may load, nothing may frame it.</summary>
    public const string ApiPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The patient's chat page: own scripts only; Web Chat injects its own style elements
    /// (hence inline styles) and talks to this host over HTTPS and WebSocket.
    /// </summary>
    public static string ChatPolicy(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var socket = (request.IsHttps ? "wss://" : "ws://") + request.Host;
        return $"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' {socket}; media-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    /// <summary>True when Kestrel is configured with an https endpoint (<c>Kestrel:Endpoints:NAME:Url</c> = https://...).</summary>
    public static bool HttpsConfigured(IConfiguration configuration) =>
        configuration.GetSection("Kestrel:Endpoints").GetChildren().Any(e => e["Url"]?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true);

    public static IServiceCollection AddTransportSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        if (HttpsConfigured(configuration))
        {
            services.AddHsts(options =>
            {
                options.MaxAge = TimeSpan.FromDays(365);
                options.IncludeSubDomains = false;
            });
        }

        return services;
    }

    /// <summary>Security headers first (so every answer, even an error, carries them), then HSTS and HTTPS redirection when configured.</summary>
    public static WebApplication UseTransportSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                Apply(context);
                return Task.CompletedTask;
            });
            return next(context);
        });
        if (HttpsConfigured(app.Configuration))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        return app;
    }

    private static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        var path = context.Request.Path;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
        headers.ContentSecurityPolicy =
            path.StartsWithSegments("/staff", StringComparison.OrdinalIgnoreCase) ? ConsolePolicy
            : path.StartsWithSegments("/articles", StringComparison.OrdinalIgnoreCase) ? ArticlePolicy
            : path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/v3", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase) ? ApiPolicy
            : ChatPolicy(context.Request);
    }
}
