namespace FaqBot.Hosting;

/// <summary>
/// The one place for FaqBot's ProblemDetails dialect: every error outside <c>/v3/directline</c>
/// (which speaks Direct Line's <c>{"error":{...}}</c>) is answered as <c>application/problem+json</c>,
/// including unhandled exceptions, malformed request bodies and bodiless 4xx/5xx statuses.
/// </summary>
public static class ProblemDetailsSetup
{
    public static IServiceCollection AddProblemDetailsDialect(this IServiceCollection services) => services.AddProblemDetails();

    public static WebApplication UseProblemDetailsDialect(this WebApplication app)
    {
        app.UseWhen(
            context => !context.Request.Path.StartsWithSegments("/v3/directline", StringComparison.OrdinalIgnoreCase),
            branch =>
            {
                branch.UseExceptionHandler(new ExceptionHandlerOptions
                {
                    StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
                });
                branch.UseStatusCodePages();
            });
        return app;
    }
}
