using System.Text.RegularExpressions;

namespace FaqBot.Tests.Infrastructure;

/// <summary>
/// The address a FaqBot process prints once it listens ("FaqBot is ready: open http://127.0.0.1:PORT/ ..."). Test
/// processes are started on port 0 so the kernel picks the port as Kestrel binds it: a port probed free and released
/// before the process starts can be taken in between by another test's server, which then answers in its place.
/// </summary>
internal sealed partial class ReadyLine
{
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The URLs argument that makes a process print a ready line this class reads.</summary>
    public const string AnyLoopbackPort = "http://127.0.0.1:0";

    /// <summary>Completes with http://127.0.0.1:{port}/ when the process prints its ready line.</summary>
    public Task<Uri> Address => _address.Task;

    /// <summary>Feed every line the process writes.</summary>
    public void Observe(string? line)
    {
        if (line is not null && Pattern().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"FaqBot is ready: open (http://127\.0\.0\.1:[1-9][0-9]*/) ")]
    private static partial Regex Pattern();
}
