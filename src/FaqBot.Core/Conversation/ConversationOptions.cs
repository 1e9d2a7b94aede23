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

    /// <summary>
    /// The bot's typing indicator is shown only when its reply is not ready after this long (as Bot Framework's
    /// ShowTypingMiddleware does): a quick reply comes without an indicator flashing before it. 0 shows it at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan TypingDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}
