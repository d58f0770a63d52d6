using Microsoft.Extensions.Options;
using TamTam.Silo;

try
{
    await using TamTamSilo silo = await TamTamSilo.StartAsync(args);
    await silo.WaitForShutdownAsync();
    return 0;
}
catch (OptionsValidationException exception)
{
    await Console.Error.WriteLineAsync($"tamtam-silo: invalid configuration: {exception.Message}");
    return 2;
}
catch (DataDirectoryInUseException exception)
{
    await Console.Error.WriteLineAsync($"tamtam-silo: {exception.Message}");
    return 3;
}
