using FaqBot.Conversation;
using FaqBot.Safety;
using Microsoft.Extensions.Options;

namespace FaqBot.Hosting;

public static class SafetySetup
{
    /// <summary>The safety screen: phrases.yaml (lexical), the sentence model and crisis-exemplars.yaml
    /// (semantic), and the crisis and check-in replies.</summary>
    public static IServiceCollection AddSafety(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SafetyOptions>().Bind(configuration.GetSection(SafetyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => PhraseBook.Load(Path.Combine(
            sp.GetRequiredService<IHostEnvironment>().ContentRootPath,
            sp.GetRequiredService<IOptions<ConversationOptions>>().Value.PhrasesFile)));

        // One model per process (it holds ~100 MB); tests replace it with their shared instance.
        services.AddSingleton<ITextEncoder>(sp => SentenceEncoder.Create(sp.GetRequiredService<IOptions<SafetyOptions>>().Value.Model));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SafetyOptions>>().Value;
            var root = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            var phrases = sp.GetRequiredService<PhraseBook>();
            if (!options.SemanticEnabled)
            {
                return new SafetyScreen(phrases);
            }
            var bank = ExemplarBank.Load(Path.Combine(root, options.ExemplarsFile));
            var net = new SemanticSafetyNet(sp.GetRequiredService<ITextEncoder>(), bank, options.Thresholds, Path.Combine(root, options.EmbeddingCacheFolder));
            return new SafetyScreen(phrases, net);
        });
        services.AddSingleton<SafetyResponder>();
        return services;
    }
}
