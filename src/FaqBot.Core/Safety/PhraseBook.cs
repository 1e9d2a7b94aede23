using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FaqBot.Safety;

/// <summary>
/// Every phrase list of phrases.yaml (safety screen and intents), validated and compiled once.
/// Immutable and thread-safe; load it at start-up (or on change) and share it.
/// </summary>
public sealed class PhraseBook
{
    /// <summary>The file's name at the repository root.</summary>
    public const string FileName = "phrases.yaml";

    private static readonly string[] SafetyLists =
        ["ignore", "not-personal", "emergency", "emergency-topics", "crisis", "crisis-topics", "informational", "personal"];

    /// <summary>Lists the safety screen uses when present: what is poisoning, the modifiers that move
    /// a match down one band, and the answers to "Are you safe right now?".</summary>
    internal static readonly string[] OptionalSafetyLists =
        ["poisoning", "not-crisis", "negation", "not-negation", "past", "present", "urgent", "plea", "third-person", "hypothetical", "idiom", "laughter", "earnest", "expectation", "treatment", "checkin-safe", "checkin-unsafe"];

    private static readonly string[] IntentLists =
        ["filler", "greeting", "thanks", "goodbye", "help", "affirm", "deny", "ask-for-person", "out-of-scope"];

    private readonly Dictionary<string, PhraseList> _lists;

    private PhraseBook(string sourceName, TextNormalizer normalizer, Dictionary<string, PhraseList> lists, IReadOnlyList<PhraseList> staffOnly)
    {
        SourceName = sourceName;
        Normalizer = normalizer;
        _lists = lists;
        StaffOnly = staffOnly;
    }

    /// <summary>Where the phrases came from (a path, or the name given to <see cref="Parse"/>).</summary>
    public string SourceName { get; }

    /// <summary>The normalizer configured with this file's spellings and typo words.</summary>
    public TextNormalizer Normalizer { get; }

    /// <summary>The staff-only reason codes, in file order (the first matching one wins).</summary>
    public IReadOnlyList<string> StaffOnlyReasons => [.. StaffOnly.Select(l => l.Name)];

    internal IReadOnlyList<PhraseList> StaffOnly { get; }

    /// <summary>A safety list by its key under <c>safety:</c>, or an intent list by its key under <c>intents:</c>.</summary>
    internal PhraseList this[string key] => _lists[key];

    internal string[] Words(string? text) => Normalizer.Split(text, fixTypos: true);

    /// <summary>Reads and compiles the file. Throws <see cref="InvalidDataException"/> naming the file,
    /// the line and the problem when the file is not valid; I/O errors are thrown as they are.</summary>
    public static PhraseBook Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Compiles phrases.yaml text; <paramref name="sourceName"/> names it in error messages.</summary>
    public static PhraseBook Parse(string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        return new Reader(sourceName).Read(yaml);
    }

    /// <summary>Walks the YAML tree so that every error can name its line.</summary>
    private sealed class Reader(string sourceName)
    {
        private readonly List<(string Name, IReadOnlyList<(string Text, YamlNode Node)> Items)> _raw = [];

        public PhraseBook Read(string yaml)
        {
            var root = LoadRoot(yaml);
            var sections = Keys(root, "the file", "spellings", "typos", "words", "safety", "intents");

            var spellings = new List<KeyValuePair<string, string>>();
            if (sections.TryGetValue("spellings", out var spellingsNode))
            {
                foreach (var (key, value) in Keys(spellingsNode, "spellings"))
                {
                    var replacement = Scalar(value, $"spellings: {key}");
                    if (TextNormalizer.Tokens(key).Count() != 1)
                    {
                        throw Error(value, $"spellings: '{key}' must be a single word (the replacement may be several)");
                    }
                    spellings.Add(new(key, replacement));
                }
            }

            string[] typoWords = [], typoExceptions = [];
            if (sections.TryGetValue("typos", out var typosNode))
            {
                var typos = Keys(typosNode, "typos", "words", "except");
                typoWords = typos.TryGetValue("words", out var w) ? [.. Items(w, "typos.words", required: true).Select(i => i.Text)] : [];
                typoExceptions = typos.TryGetValue("except", out var e) ? [.. Items(e, "typos.except", required: false).Select(i => i.Text)] : [];
            }

            // Word classes: "medicine: [trazodone, zoloft, benzo*]" is written <medicine> in a phrase.
            var classes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (sections.TryGetValue("words", out var wordsNode))
            {
                foreach (var (name, node) in Keys(wordsNode, "words"))
                {
                    if (name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || c == '-') || name == "number")
                    {
                        throw Error(node, $"words: class name '{name}' may use only a-z and '-' (and 'number' is taken)");
                    }
                    var members = Items(node, $"words.{name}", required: true).Select(i => i.Text.Trim()).ToList();
                    if (members.FirstOrDefault(m => m.Length == 0 || m.IndexOfAny([' ', '|', '(', ')', '{', '}', '<', '>']) >= 0) is { } bad)
                    {
                        throw Error(node, $"words.{name}: '{bad}' must be one word (a stem may end in *)");
                    }
                    classes[name] = string.Join('|', members);
                }
            }

            var safety = Keys(Required(sections, "safety", root), "safety", [.. SafetyLists, .. OptionalSafetyLists]);
            foreach (var name in SafetyLists)
            {
                _raw.Add((name, Items(Required(safety, name, root), $"safety.{name}", required: true)));
            }
            foreach (var name in OptionalSafetyLists)
            {
                _raw.Add((name, safety.TryGetValue(name, out var node) ? Items(node, $"safety.{name}", required: false) : []));
            }

            var intents = Keys(Required(sections, "intents", root), "intents", [.. IntentLists, "staff-only"]);
            foreach (var name in IntentLists)
            {
                _raw.Add((name, Items(Required(intents, name, root), $"intents.{name}", required: true)));
            }
            var staffNode = Required(intents, "staff-only", root);
            var staffReasons = Keys(staffNode, "intents.staff-only");
            if (staffReasons.Count == 0)
            {
                throw Error(staffNode, "intents.staff-only needs at least one reason code with its phrases");
            }
            var staffNames = new List<string>();
            foreach (var (reason, node) in staffReasons)
            {
                if (reason.Length == 0 || !reason.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                {
                    throw Error(node, $"intents.staff-only: reason code '{reason}' may use only a-z, 0-9 and '-'");
                }
                if (_raw.Any(r => r.Name == reason))
                {
                    throw Error(node, $"intents.staff-only: reason code '{reason}' is also the name of another list");
                }
                staffNames.Add(reason);
                _raw.Add((reason, Items(node, $"intents.staff-only.{reason}", required: true)));
            }

            // Phrases are normalized like messages, except for typo correction.
            var compiler = new TextNormalizer(spellings, [], []);
            var lists = new Dictionary<string, PhraseList>(StringComparer.Ordinal);
            foreach (var (name, items) in _raw)
            {
                var phrases = new List<Phrase>(items.Count);
                foreach (var (text, node) in items)
                {
                    try
                    {
                        phrases.Add(Phrase.Compile(text, phrases.Count, compiler, classes));
                    }
                    catch (FormatException e)
                    {
                        throw Error(node, $"{name}: phrase '{text}': {e.Message}");
                    }
                }
                lists[name] = new PhraseList(name, phrases);
            }

            // A word written anywhere in the lists is taken as written, never as a typo of another.
            var exact = lists.Values.SelectMany(l => l.Phrases).SelectMany(p => p.LiteralWords)
                .Concat(spellings.SelectMany(s => TextNormalizer.Tokens(s.Value)))
                .Concat(typoExceptions);
            var normalizer = new TextNormalizer(spellings, typoWords, exact);
            return new PhraseBook(sourceName, normalizer, lists, [.. staffNames.Select(n => lists[n])]);
        }

        private YamlMappingNode LoadRoot(string yaml)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException e)
            {
                throw new InvalidDataException($"{sourceName} line {e.Start.Line}: not valid YAML: {e.InnerException?.Message ?? e.Message}", e);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // YamlDotNet reports a few malformed inputs (an unclosed '[' at the end) this way.
                throw new InvalidDataException($"{sourceName}: not valid YAML: {e.Message}", e);
            }
            if (stream.Documents.Count == 0)
            {
                throw new InvalidDataException($"{sourceName}: the file is empty");
            }
            if (stream.Documents.Count > 1)
            {
                throw new InvalidDataException($"{sourceName}: holds more than one YAML document ('---'); keep one");
            }
            return stream.Documents[0].RootNode as YamlMappingNode
                ?? throw Error(stream.Documents[0].RootNode, "the file must be a set of sections (spellings:, typos:, safety:, intents:)");
        }

        /// <summary>The keys of a mapping, in file order; unknown keys are an error when <paramref name="allowed"/> is given.</summary>
        private Dictionary<string, YamlNode> Keys(YamlNode node, string path, params string[] allowed)
        {
            if (node is not YamlMappingNode map)
            {
                throw Error(node, $"{path} must be a set of 'key: value' lines");
            }
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in map.Children)
            {
                var key = Scalar(keyNode, path).Trim();
                if (allowed.Length > 0 && !allowed.Contains(key))
                {
                    throw Error(keyNode, $"{path}: unknown key '{key}' (expected one of: {string.Join(", ", allowed)})");
                }
                if (!result.TryAdd(key, value))
                {
                    throw Error(keyNode, $"{path}: '{key}' appears twice");
                }
            }
            return result;
        }

        private YamlNode Required(Dictionary<string, YamlNode> map, string key, YamlNode parent) =>
            map.TryGetValue(key, out var node) ? node : throw Error(parent, $"the list '{key}' is missing");

        private List<(string Text, YamlNode Node)> Items(YamlNode node, string path, bool required)
        {
            if (node is YamlScalarNode { Value: null or "" } && !required)
            {
                return [];
            }
            if (node is not YamlSequenceNode sequence)
            {
                throw Error(node, $"{path} must be a list of phrases, one per '- ' line");
            }
            if (required && sequence.Children.Count == 0)
            {
                throw Error(node, $"{path} is empty; it needs at least one phrase");
            }
            return [.. sequence.Children.Select(item => (Scalar(item, path), item))];
        }

        private string Scalar(YamlNode node, string path) =>
            node is YamlScalarNode { Value: { } value } && !string.IsNullOrWhiteSpace(value)
                ? value
                : throw Error(node, $"{path}: expected a phrase (text), found {(node is YamlScalarNode ? "an empty entry" : "a nested list or section")}");

        private InvalidDataException Error(YamlNode node, string problem) =>
            new($"{sourceName} line {node.Start.Line}: {problem}");
    }
}
