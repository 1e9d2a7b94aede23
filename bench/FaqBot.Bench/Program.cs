using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/FaqBot.Bench -- --filter '*SafetyScreen*'
// dotnet run -c Release --project bench/FaqBot.Bench -- search      (start-up cold/warm, memory, answer time)
if (args is ["search", ..] or ["search-start", ..])
{
    return SearchStartup.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point.</summary>
public partial class Program;
