namespace FaqBot.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Activity_type_defaults_to_message() => Assert.Equal("message", new FaqBot.Schema.Activity().Type);
}
