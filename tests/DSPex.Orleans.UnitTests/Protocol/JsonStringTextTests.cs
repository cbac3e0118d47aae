using System.Text;
using System.Text.Json;
using CsCheck;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

[Trait("Category", "Unit")]
public sealed class JsonStringTextTests
{
    private static string RawToken(string text) => JsonSerializer.Serialize(text)[1..^1];

    [Fact]
    public void Valid_text_decodes_to_itself() =>
        Gen.String.Where(s => Encoding.UTF8.GetByteCount(s) == new UTF8Encoding(false, true).GetByteCount(s)).Sample(text =>
            Assert.Equal(text, JsonStringText.Decode(Encoding.UTF8.GetBytes(RawToken(text)))), seed: ProtocolGen.Seed, iter: 5_000);

    [Theory]
    [InlineData(@"a\ud800b", "a\uFFFDb")]
    [InlineData(@"\udc00\ud800", "\uFFFD\uFFFD")]
    [InlineData(@"\ud83d\ude00", "😀")]
    [InlineData(@"\u12", "\uFFFD12")]
    [InlineData(@"\q", "\uFFFD")]
    [InlineData(@"end\", "end\uFFFD")]
    public void Broken_escapes_and_lone_surrogates_become_replacement_characters(string raw, string expected) =>
        Assert.Equal(expected, JsonStringText.Decode(Encoding.UTF8.GetBytes(raw)));

    [Fact]
    public void Invalid_utf8_becomes_replacement_characters() =>
        Assert.Equal("a\uFFFDb", JsonStringText.Decode([(byte)'a', 0xFF, (byte)'b']));
}
