using FaqBot.Answering;
using FaqBot.Ask;
using FaqBot.Conversation;
using FaqBot.Conversation.Intents;
using FaqBot.Knowledge;
using FaqBot.Safety;
using FaqBot.Search;
using FaqBot.Search.Embedding;
using Microsoft.Extensions.Options;

namespace FaqBot.Hosting;

public static class KnowledgeSetup
{
    /// <summary>Knowledge base (hot reload), search, answers, the safety screen and intents.</summary>
    public static IServiceCollection AddKnowledge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KnowledgeOptions>().Bind(configuration.GetSection(KnowledgeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SearchOptions>().Bind(configuration.GetSection(SearchOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ConversationOptions>().Bind(configuration.GetSection(ConversationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        // One model per process; its int8 form is kept in the embeddings cache folder for the next start.
        services.AddSingleton(provider => SentenceEmbedder.Load(Path.GetFullPath(Path.Combine(
            provider.GetRequiredService<IHostEnvironment>().ContentRootPath, provider.GetRequiredService<IOptions<SearchOptions>>().Value.EmbeddingCachePath))));
        services.AddSingleton<KnowledgeBase>();
        services.AddSingleton<AnswerComposer>();
        services.AddSingleton<IntentClassifier>();
        services.AddSingleton<Asker>();
        services.AddHostedService<KnowledgeWatcher>();
        return services;
    }

    /// <summary>Loads the articles before the first request (a missing folder stops start-up) and watches for edits.</summary>
    private sealed class KnowledgeWatcher(KnowledgeBase knowledge, SafetyScreen safety) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = safety; // resolved now so a broken phrases file stops start-up, not the first message
            knowledge.StartWatching();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
