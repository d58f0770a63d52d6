namespace TamTam.Dashboard.Tests.Infrastructure;

// One browser for the assembly: xunit finds collection definitions only in the test assembly itself.

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "chromium";
}
