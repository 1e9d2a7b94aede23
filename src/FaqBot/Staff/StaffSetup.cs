using FaqBot.Audit;
using FaqBot.Handoff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace FaqBot.Staff;

public static class StaffSetup
{
    /// <summary>Staff accounts and sign-in, the handoff service, duty hours, callbacks and the queue watcher.</summary>
    public static IServiceCollection AddStaff(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StaffOptions>().Bind(configuration.GetSection(StaffOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<StaffOptions>, StaffOptionsValidator>();
        // Escalation reasons (priority, label, patient text) from appsettings.json, checked against phrases.yaml at start-up.
        services.AddOptions<EscalationOptions>().Bind(configuration.GetSection(EscalationOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EscalationOptions>, EscalationOptionsValidator>();
        services.AddSingleton<EscalationReasons>();
        services.AddSingleton<StaffPresence>();
        services.AddSingleton<ClaimHistory>();
        services.AddSingleton<IStaffAvailability, StaffAvailabilityService>();
        services.AddSingleton<HandoffRecorder>();
        services.AddSingleton<HandoffService>();
        services.AddSingleton<IPasswordHasher<StaffAccount>, PasswordHasher<StaffAccount>>();
        services.AddSingleton<StaffSignIn>();
        services.AddHostedService<StaffStoreInitializer>();
        services.AddHostedService<QueueWatcher>();

        // Urgent chats left unclaimed page the on-call webhook (UrgentAlert in appsettings.json).
        services.AddOptions<UrgentAlertOptions>().Bind(configuration.GetSection(UrgentAlertOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<UrgentAlertOptions>, UrgentAlertOptionsValidator>();
        services.AddHttpClient(UrgentPager.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddHostedService<UrgentPager>();

        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, StaffAuthenticationHandler>(StaffAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(StaffAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(StaffAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser())
            .AddPolicy(StaffAuthenticationHandler.AdminPolicy, policy => policy
            .AddAuthenticationSchemes(StaffAuthenticationHandler.SchemeName)
            .RequireRole(StaffRoles.Admin));
        return services;
    }

    /// <summary>The staff API under /api/staff and the console page at /staff.</summary>
    public static IEndpointRouteBuilder MapStaff(this IEndpointRouteBuilder app)
    {
        app.MapStaffApi();
        app.MapGet("/staff", ConsolePage).ExcludeFromDescription();
        return app;
    }

    /// <summary>The console page (its strict content security policy is set with every other response's, in <see cref="Hosting.SecurityHeaders"/>).</summary>
    public static IResult ConsolePage(IWebHostEnvironment environment, HttpContext context) => Page(environment, context, "staff/index.html");

    /// <summary>A staff page from wwwroot, never cached (the staff pages' security headers come from Hosting/SecurityHeaders).</summary>
    public static Func<IWebHostEnvironment, HttpContext, IResult> PageResult(string file) => (environment, context) => Page(environment, context, file);

    private static IResult Page(IWebHostEnvironment environment, HttpContext context, string file)
    {
        context.Response.Headers.CacheControl = "no-store";
        var page = environment.WebRootFileProvider.GetFileInfo(file);
        return page.Exists && page.PhysicalPath is { } path
            ? TypedResults.PhysicalFile(path, "text/html; charset=utf-8")
            : TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Page missing", detail: $"wwwroot/{file} was not found next to the program.");
    }

    /// <summary>Warms the password hasher before the server takes its first sign-in.</summary>
    private sealed class StaffStoreInitializer(StaffSignIn signIn) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            signIn.Warm();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
