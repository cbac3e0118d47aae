using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Security;

/// <summary>The one helper through which caller- and worker-chosen text reaches a log, a tag or an error message.</summary>
[Trait("Category", "Unit")]
public sealed class ShownTextTests
{
    [Fact]
    public void PlainShortTextIsShownAsItIs() => Assert.Equal("command:echo", ShownText.Of("command:echo"));

    [Fact]
    public void LongTextIsCutAndSaysItsLength()
    {
        var shown = ShownText.Of(new string('x', 300_000));
        Assert.StartsWith(new string('x', ShownText.MaxChars), shown);
        Assert.EndsWith("…(300000 chars)", shown);
        Assert.True(shown.Length < ShownText.MaxChars + 30);
    }

    [Theory]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\nb", "a\\r\\nb")]
    [InlineData("a\tb", "a\\tb")]
    [InlineData("a\u001bb", "a\\u001Bb")]
    [InlineData("right\u202Eto left", "right\\u202Eto left")]
    [InlineData("zero\u200Bwidth", "zero\\u200Bwidth")]
    [InlineData("line\u2028separator", "line\\u2028separator")]
    [InlineData("tag \U000E0041", "tag \\U000E0041")]
    [InlineData("café ☕ 😀", "café ☕ 😀")]
    public void CharactersThatCouldForgeOrReorderALineAreEscaped(string text, string shown) => Assert.Equal(shown, ShownText.Of(text));

    [Fact]
    public void ALoneSurrogateIsEscaped() => Assert.Equal("lone \\uD800 surrogate", ShownText.Of("lone \ud800 surrogate"));

    [Fact]
    public void NullIsShownAsNull() => Assert.Equal("(null)", ShownText.Of(null));

    [Fact]
    public void ASurrogatePairIsNeverSplitAtTheCut()
    {
        var shown = ShownText.Of(new string('x', ShownText.MaxChars - 1) + "😀" + "tail");
        Assert.Contains("😀", shown);
    }
}
