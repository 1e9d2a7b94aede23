using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace FaqBot.Tests.Storage;

/// <summary>The provider and its connection string are checked before FaqBot starts.</summary>
public sealed class StorageOptionsTests
{
    [Theory]
    [InlineData("Mongo", null, "Storage:Provider must be Sqlite or Postgres")]
    [InlineData("Postgres", "Data Source=data/faqbot.db", "needs ConnectionStrings:FaqBot to be a PostgreSQL connection string")]
    public void A_wrong_provider_or_connection_string_stops_the_start_with_a_clear_message(string provider, string? connectionString, string message)
    {
        var settings = new Dictionary<string, string?> { ["Storage:Provider"] = provider };
        if (connectionString is not null)
        {
            settings["ConnectionStrings:FaqBot"] = connectionString;
        }

        var error = Assert.ThrowsAny<Exception>(() => new FaqBotServer(settings).Dispose());
        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException ?? (error as AggregateException)?.Flatten().InnerExceptions.OfType<OptionsValidationException>().FirstOrDefault();
        Assert.NotNull(validation);
        Assert.Contains(message, validation.Message, StringComparison.Ordinal);
    }
}
