using FaqBot.Teaching;

namespace FaqBot.Insights;

public static class InsightsSetup
{
    /// <summary>The insights (figures and missed questions) and teaching the bot (taught questions, article requests).</summary>
    public static IServiceCollection AddInsights(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InsightsOptions>().Bind(configuration.GetSection(InsightsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<InsightsService>();
        services.AddSingleton<Teacher>();
        services.AddHostedService<TeachingLoader>();
        return services;
    }

    /// <summary>Puts taught questions into the index before the first request.</summary>
    private sealed class TeachingLoader(Teacher teacher) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => teacher.LoadAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
