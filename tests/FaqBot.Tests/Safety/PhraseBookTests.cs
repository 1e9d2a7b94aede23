using FaqBot.Safety;

namespace FaqBot.Tests.Safety;

public sealed class PhraseBookTests
{
    [Fact]
    public void The_repository_phrase_file_loads_with_every_staff_only_reason()
    {
        var book = SafetyTestData.Phrases;

        Assert.Equal(SafetyTestData.PhrasesPath, book.SourceName);
        foreach (var reason in new[] { "cost", "payment", "insurance", "booking", "hours", "location", "parking", "contact", "personal-medical" })
        {
            Assert.Contains(reason, book.StaffOnlyReasons);
        }
    }

    [Fact]
    public void The_minimal_file_parses()
    {
        var book = PhraseBook.Parse(SafetyTestData.MinimalYaml, "minimal.yaml");

        Assert.Equal(SafetyLevel.Crisis, new SafetyScreen(book).Check("I want to die").Level);
        Assert.Equal(["cost"], book.StaffOnlyReasons);
    }

    [Fact]
    public void Broken_yaml_in_a_file_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"phrases-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "safety:\n  crisis: [want to die\n  emergency: x\n");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => PhraseBook.Load(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("YAML", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error() =>
        Assert.Throws<FileNotFoundException>(() => PhraseBook.Load(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.yaml")));

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("# only a comment\n", "the file is empty")]
    [InlineData("- a list\n- not sections\n", "must be a set of sections")]
    [InlineData("safety: [unclosed\n", "not valid YAML")]
    [InlineData("intents: {}\n", "'safety' is missing")]
    public void An_invalid_file_names_the_source_and_the_problem(string yaml, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() => PhraseBook.Parse(yaml, "clinic-phrases.yaml"));

        Assert.StartsWith("clinic-phrases.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "'crisis' is missing")]
    [InlineData("  crisis: []", "safety.crisis is empty")]
    [InlineData("  crisis:", "safety.crisis must be a list")]
    [InlineData("  crisis: [want to die, '']", "empty entry")]
    [InlineData("  crisis: [want to (die]", "never closed")]
    [InlineData("  crisis: [want to die)]", "closing bracket")]
    [InlineData("  crisis: [[want to die]]", "nested list")]
    [InlineData("  crisis: ['want to [die]']", "[ ] is not part of the syntax")]
    [InlineData("  crisis: [su*cide]", "'*' may only end a word")]
    [InlineData("  crisis: [a*]", "at least 3 letters")]
    [InlineData("  crisis: ['... die']", "'...' must stand between two words")]
    [InlineData("  crisis: [(want) (to)]", "at least one word that is not optional")]
    [InlineData("  crisis: [want||die]", "empty choice")]
    [InlineData("  crisis: ['!!!']", "no letters or digits")]
    [InlineData("  crysis: [want to die]", "unknown key 'crysis'")]
    public void An_invalid_crisis_list_names_the_source_and_the_problem(string crisisLine, string problem)
    {
        var yaml = SafetyTestData.MinimalYaml.Replace("  crisis: [want to die]", crisisLine, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => PhraseBook.Parse(yaml, "clinic-phrases.yaml"));

        Assert.StartsWith("clinic-phrases.yaml line ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_class_matches_any_one_of_its_words()
    {
        var yaml = SafetyTestData.MinimalYaml
            .Replace("safety:\n", "words:\n  medicine: [trazodone, benzo*]\nsafety:\n", StringComparison.Ordinal)
            .Replace("  crisis: [want to die]", "  crisis: [want to die, took <number> of my <medicine>]", StringComparison.Ordinal);
        var screen = new SafetyScreen(PhraseBook.Parse(yaml, "p.yaml"));

        Assert.Equal(SafetyLevel.Crisis, screen.Check("I took 20 of my trazodone").Level);
        Assert.Equal(SafetyLevel.Crisis, screen.Check("took 12 of my benzos").Level);
        Assert.Equal(SafetyLevel.None, screen.Check("took 20 of my vitamins").Level);
    }

    [Theory]
    [InlineData("  medicine: [trazodone]", "  crisis: [took <medicines>]", "no word class 'medicines'")]
    [InlineData("  medicine: [sleeping pills]", "  crisis: [took <medicine>]", "must be one word")]
    [InlineData("  Medicine: [trazodone]", "  crisis: [want to die]", "class name 'Medicine'")]
    [InlineData("  medicine: [trazodone]", "  crisis: ['took pills|<number>']", "<number> must stand alone")]
    public void An_invalid_word_class_is_reported(string classLine, string crisisLine, string problem)
    {
        var yaml = SafetyTestData.MinimalYaml
            .Replace("safety:\n", $"words:\n{classLine}\nsafety:\n", StringComparison.Ordinal)
            .Replace("  crisis: [want to die]", crisisLine, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => PhraseBook.Parse(yaml, "p.yaml"));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_in_a_phrase_names_its_line()
    {
        var yaml = SafetyTestData.MinimalYaml.Replace("  crisis: [want to die]", "  crisis:\n    - want to die\n    - end (it", StringComparison.Ordinal);
        var line = yaml.Split('\n').ToList().FindIndex(l => l.Contains("end (it", StringComparison.Ordinal)) + 1;

        var error = Assert.Throws<InvalidDataException>(() => PhraseBook.Parse(yaml, "p.yaml"));

        Assert.Contains($"line {line}", error.Message, StringComparison.Ordinal);
        Assert.Contains("end (it", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    cost: [price*]", "    cost: [price*]\n    cost: [fee]", "Duplicate key")]
    [InlineData("    cost: [price*]", "    Cost!: [price*]", "reason code")]
    [InlineData("  staff-only:\n    cost: [price*]", "  staff-only: {}", "at least one reason code")]
    [InlineData("  greeting: [hi|hello]", "  greeting: []", "intents.greeting is empty")]
    [InlineData("  sucide: suicide", "  two words: suicide", "single word")]
    public void Invalid_intent_lists_and_spellings_are_reported(string original, string replacement, string problem)
    {
        var yaml = SafetyTestData.MinimalYaml.Replace(original, replacement, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => PhraseBook.Parse(yaml, "p.yaml"));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
