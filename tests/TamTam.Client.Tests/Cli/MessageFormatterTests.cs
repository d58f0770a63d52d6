using System.Text;
using TamTam.Cli.Output;

namespace TamTam.Client.Tests.Cli;

public sealed class MessageFormatterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("two\nlines", @"two\nlines")]
    [InlineData("crlf\r\n", @"crlf\r\n")]
    [InlineData(@"back\slash", @"back\\slash")]
    [InlineData("zürich", "zürich")]
    public void Text_stays_on_one_line_and_can_be_unescaped(string payload, string expected) =>
        Assert.Equal(expected, MessageFormatter.EscapeText(Encoding.UTF8.GetBytes(payload)));
}
