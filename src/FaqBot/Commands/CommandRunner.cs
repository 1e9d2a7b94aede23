using FaqBot.Knowledge;

namespace FaqBot.Commands;

public static class CommandRunner
{
    /// <summary>Runs a command with the app's services (hosted services are not started); clear errors, exit codes.</summary>
    public static async Task<int> RunAsync(WebApplication app, ICommand command)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(command);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            return await command.RunAsync(app.Services, cancel.Token);
        }
        catch (KnowledgeUnavailableException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (InvalidDataException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }
}
