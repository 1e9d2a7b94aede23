using System.ComponentModel.DataAnnotations;

namespace FaqBot.Conversation;

/// <summary>The bot's conversational settings ("Conversation" section).</summary>
public sealed class ConversationOptions
{
    public const string Section = "Conversation";

    /// <summary>The one file with every phrase list (crisis, emergency, intents), relative to the repository root.</summary>
    [Required]
    public string PhrasesFile { get; set; } = "phrases.yaml";

    /// <summary>Offered as buttons when a conversation starts (3-4 read best).</summary>
    [MinLength(1)]
    public List<string> StarterQuestions { get; set; } = [];

    /// <summary>Questions the articles answer; after a miss the three closest are offered.</summary>
    [MinLength(3)]
    public List<string> SuggestedQuestions { get; set; } = [];
}
