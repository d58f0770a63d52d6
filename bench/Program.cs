using BenchmarkDotNet.Running;
using TamTam.Bench.Workloads;

// Micro benchmarks (BenchmarkDotNet): dotnet run -c Release --project bench -- codec [BenchmarkDotNet args]
// Workloads against the real interchange (docs/benchmarks.md): dotnet run -c Release --project bench -- w1 [options]
if (args.Length > 0 && args[0] == "codec")
{
    BenchmarkSwitcher.FromAssembly(typeof(TamTam.Bench.Codec.FrameCodecBenchmarks).Assembly).Run(args[1..]);
    return 0;
}

// Durable cost of a descriptor per message, grain state vs link log: -- placement [--messages N] [--concurrency C]
if (args.Length > 0 && args[0] == "placement")
{
    return await TamTam.Bench.Placement.DescriptorPlacement.RunAsync(args[1..]);
}

if (args.Length > 0 && WorkloadCommand.Knows(args[0]))
{
    return await WorkloadCommand.RunAsync(args[0], args[1..]);
}

Console.Error.WriteLine("usage: dotnet run -c Release --project bench -- codec [BenchmarkDotNet options, e.g. --filter '*']");
Console.Error.WriteLine("       dotnet run -c Release --project bench -- placement [--messages 20000] [--concurrency 256]");
Console.Error.WriteLine(WorkloadCommand.Usage);
return 2;
