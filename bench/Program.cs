using BenchmarkDotNet.Running;

// Micro benchmarks (BenchmarkDotNet): dotnet run -c Release --project bench -- codec [BenchmarkDotNet args]
// Workloads against a running interchange come under other verbs as they are added.
if (args.Length > 0 && args[0] == "codec")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
    return 0;
}

Console.Error.WriteLine("usage: dotnet run -c Release --project bench -- codec [BenchmarkDotNet options, e.g. --filter '*']");
return 2;
