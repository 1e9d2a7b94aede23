using BenchmarkDotNet.Running;
using FaqBot.Bench;

// Run from the repository root (see README, Performance):
// dotnet run -c Release --project bench/FaqBot.Bench -- search --kb real,100,1000,10000   (index build, start-up, memory, answer time)
// dotnet run -c Release --project bench/FaqBot.Bench -- load                              (Direct Line over WebSockets against a FaqBot it starts)
// dotnet run -c Release --project bench/FaqBot.Bench -- generate 1000 /tmp/kb-1000        (a generated knowledge base)
// dotnet run -c Release --project bench/FaqBot.Bench -- --filter '*SafetyScreen*'          (BenchmarkDotNet micro-benchmarks)
switch (args)
{
    case ["search" or "search-start", ..]:
        return SearchBenchmark.Run(args);
    case ["load", ..]:
        return await LoadBenchmark.RunAsync(args);
    case ["generate", var count, var folder]:
        KnowledgeGenerator.Generate(Path.Combine(Bench.Root, "knowledge"), folder, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
        return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Bench).Assembly).Run(args);
return 0;
