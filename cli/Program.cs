using TamTam.Cli;

var console = CliConsole.System();
try
{
    return await TamTamCommand.Create(console).Parse(args).InvokeAsync(console.InvocationConfiguration());
}
finally
{
    await console.Out.FlushAsync();
    await console.Error.FlushAsync();
}
