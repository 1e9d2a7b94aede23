using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/FaqBot.Bench -- --filter '*SafetyScreen*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point.</summary>
public partial class Program;
