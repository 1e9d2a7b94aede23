using FaqBot.Conversation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FaqBot.Site;

/// <summary>
/// What every page shares, drawn from the Clinic section: the colours as CSS variables (<c>/css/clinic.css</c>,
/// so pages without script get them too), the favicon, app icons and the web app manifest.
/// </summary>
public static class SiteEndpoints
{
    public static readonly int[] IconSizes = [180, 192, 512];

    public static IServiceCollection AddSiteAssets(this IServiceCollection services) =>
        services.AddSingleton(sp =>
        {
            var clinic = sp.GetRequiredService<IOptions<ClinicOptions>>().Value;
            return new ClinicIcon(clinic.PrimaryColor, clinic.AccentColor);
        });

    public static IEndpointRouteBuilder MapSiteAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/css/clinic.css", ClinicCss).ExcludeFromDescription();
        app.MapGet("/favicon.ico", (ClinicIcon icon, HttpContext context) => Cached(context, TypedResults.Bytes(icon.Ico(), "image/x-icon"))).ExcludeFromDescription();
        app.MapGet("/icon.svg", (ClinicIcon icon, HttpContext context) => Cached(context, TypedResults.Text(icon.Svg, "image/svg+xml"))).ExcludeFromDescription();
        app.MapGet("/icons/icon-{size:int}.png", Png).ExcludeFromDescription();
        app.MapGet("/manifest.webmanifest", Manifest).ExcludeFromDescription();
        return app;
    }

    public static ContentHttpResult ClinicCss(IOptions<ClinicOptions> clinic, HttpContext context) =>
        Cached(context, TypedResults.Text($":root {{ --primary: {clinic.Value.PrimaryColor}; --accent: {clinic.Value.AccentColor}; }}\n", "text/css"));

    public static Results<FileContentHttpResult, NotFound> Png(int size, ClinicIcon icon, HttpContext context) =>
        IconSizes.Contains(size) ? Cached(context, TypedResults.Bytes(icon.Png(size), "image/png")) : TypedResults.NotFound();

    public static JsonHttpResult<object> Manifest(IOptions<ClinicOptions> clinic)
    {
        var c = clinic.Value;
        return TypedResults.Json<object>(new
        {
            name = $"{c.Name} chat",
            short_name = c.AssistantName,
            start_url = "/",
            display = "standalone",
            background_color = "#ffffff",
            theme_color = c.PrimaryColor,
            icons = IconSizes.Where(s => s >= 192).Select(s => new { src = $"/icons/icon-{s}.png", sizes = $"{s}x{s}", type = "image/png" })
                .Append(new { src = "/icon.svg", sizes = "any", type = "image/svg+xml" }),
        }, contentType: "application/manifest+json");
    }

    private static T Cached<T>(HttpContext context, T result)
    {
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return result;
    }
}
