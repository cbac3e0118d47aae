using System.Text;
using System.Text.Json;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Protocol;

/// <summary>
/// The protocol version a bridge reports at the handshake, and which ones this silo accepts (the same major version
/// as protocol.json's "version"): read from the ready frame as a number or a "major.minor" string, bounded, and
/// named in the refusal exactly enough to act on.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BridgeProtocolVersionTests
{
    private static BridgeFrame Parse(string envelope) => BridgeFrame.Parse(Encoding.UTF8.GetBytes(envelope));

    [Fact]
    public void The_silos_major_version_is_the_one_protocol_json_defines()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Python", "dspex", "protocol.json");
        using var definition = JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal(BridgeProtocolVersion.Major, definition.RootElement.GetProperty("version").GetInt32());
    }

    [Theory]
    [InlineData("""{"type":"ready","pid":1,"pgid":1,"protocol":1,"commands":[]}""", "1")]
    [InlineData("""{"type":"ready","pid":1,"pgid":1,"protocol":"1.4","commands":[]}""", "1.4")]
    [InlineData("""{"type":"ready","pid":1,"pgid":1,"protocol":2.0,"commands":[]}""", "2.0")]
    [InlineData("""{"type":"ready","pid":1,"pgid":1,"commands":[]}""", null)]
    public void The_ready_frame_carries_the_version_as_sent(string envelope, string? expected)
    {
        Assert.Equal(expected, Assert.IsType<ReadyFrame>(Parse(envelope)).ProtocolVersion);
    }

    [Theory]
    [InlineData("""{"type":"ready","protocol":true}""")]
    [InlineData("""{"type":"ready","protocol":{"major":1}}""")]
    [InlineData("""{"type":"ready","protocol":"123456789012345678901234567890123"}""")]
    public void A_version_that_is_not_a_short_number_or_string_is_a_malformed_frame(string envelope)
    {
        Assert.Throws<FrameFormatException>(() => Parse(envelope));
    }

    [Theory]
    // Version 2 added binary parts after the envelope (a version-1 peer would read them as a malformed frame).
    [InlineData("2", true)]
    [InlineData("2.0", true)]
    [InlineData("2.12", true)]
    [InlineData("02", true)]
    [InlineData("1", false)]
    [InlineData("3", false)]
    [InlineData("1.9", false)]
    [InlineData("3.0", false)]
    [InlineData("2e0", false)]
    [InlineData("-2", false)]
    [InlineData("2.", false)]
    [InlineData("2.x", false)]
    [InlineData(" 2", false)]
    [InlineData("", false)]
    [InlineData("99999999999999999999", false)]
    [InlineData(null, false)]
    public void Only_the_same_major_version_is_compatible(string? reported, bool compatible)
    {
        Assert.Equal(compatible, BridgeProtocolVersion.IsCompatible(reported));
    }

    [Fact]
    public void A_refusal_names_both_versions_in_printable_text()
    {
        Assert.Equal(
            "it speaks bridge protocol 1.0; this silo speaks bridge protocol 2 and accepts major version 2 only",
            BridgeProtocolVersion.Mismatch("1.0"));
        Assert.Contains("names no protocol version", BridgeProtocolVersion.Mismatch(null));
        Assert.Contains("bridge protocol 2?x;", BridgeProtocolVersion.Mismatch("2\nx"));
    }
}
