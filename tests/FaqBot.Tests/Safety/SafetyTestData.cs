using FaqBot.Safety;
using Microsoft.Extensions.Configuration;

namespace FaqBot.Tests.Safety;

/// <summary>The real phrases.yaml of the repository and the data files of these tests.</summary>
internal static class SafetyTestData
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FaqBot.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No FaqBot.sln above {AppContext.BaseDirectory}");
    });

    private static readonly Lazy<PhraseBook> Book = new(() => PhraseBook.Load(PhrasesPath));

    private static readonly Lazy<SentenceEncoder> Model = new(() => SentenceEncoder.Create(SentenceEncoder.MiniLM));

    private static readonly Lazy<SafetyOptions> Settings = new(() =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(RepositoryRoot, "appsettings.json")).Build()
            .GetSection(SafetyOptions.Section).Get<SafetyOptions>() ?? new SafetyOptions());

    private static readonly Lazy<SafetyScreen> FullScreen = new(() => new SafetyScreen(Phrases, new SemanticSafetyNet(
        Model.Value,
        ExemplarBank.Load(Path.Combine(RepositoryRoot, Settings.Value.ExemplarsFile)),
        Settings.Value.Thresholds,
        Path.Combine(RepositoryRoot, Settings.Value.EmbeddingCacheFolder))));

    /// <summary>The one sentence model of the test process (loading it takes seconds and ~100 MB),
    /// shared by every test and by every test server.</summary>
    public static ITextEncoder Encoder => Model.Value;

    /// <summary>Both layers with the settings of appsettings.json, built once.</summary>
    public static SafetyScreen Screen => FullScreen.Value;

    /// <summary>The safety settings of appsettings.json.</summary>
    public static SafetyOptions Options => Settings.Value;

    public static string RepositoryRoot => Root.Value;

    public static string PhrasesPath => Path.Combine(RepositoryRoot, PhraseBook.FileName);

    /// <summary>The real phrases.yaml, loaded once (a PhraseBook is immutable).</summary>
    public static PhraseBook Phrases => Book.Value;

    /// <summary>The non-empty, non-comment lines of a file under Data/.</summary>
    public static IReadOnlyList<string> Lines(string fileName) =>
        [.. File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", fileName))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))];

    /// <summary>A small valid phrases.yaml with one phrase per list, for the loader's error tests.</summary>
    public const string MinimalYaml = """
        spellings:
          sucide: suicide
        typos:
          words: [suicidal]
          except: [overdone]
        safety:
          ignore: [killing me]
          not-personal: [tell me]
          emergency: [cannot breathe]
          emergency-topics: [seizure*]
          crisis: [want to die]
          crisis-topics: [suicid*]
          informational: [can|does|what]
          personal: [i|me|my]
        intents:
          filler: [so|very]
          greeting: [hi|hello]
          thanks: [thanks]
          goodbye: [bye]
          help: [help]
          affirm: [yes]
          deny: ["no"]
          ask-for-person: [talk to (a) nurse]
          out-of-scope: [weather]
          staff-only:
            cost: [price*]
        """;
}
