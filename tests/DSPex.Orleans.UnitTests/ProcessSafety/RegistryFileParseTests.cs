using System.Text;
using DSPex.Orleans.ProcessSafety;
using Xunit.Abstractions;

namespace DSPex.Orleans.UnitTests.ProcessSafety;

[Trait("Category", "Unit")]
public sealed class RegistryFileParseTests(ITestOutputHelper output)
{
    private const string Structural = "{}[]\",:0-9n";

    private const string Valid = """
        {"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":4,"ownerStartTime":5,"bootId":"b",
         "processes":[{"pid":6,"processGroupId":6,"startTime":7,"bootId":"b","workerId":"S|0","marker":"m"}]}
        """;

    [Fact]
    public void A_well_formed_file_is_read()
    {
        var read = RegistryFiles.Parse(Encoding.UTF8.GetBytes(Valid));
        Assert.Null(read.Refusal);
        Assert.Equal(6, Assert.Single(read.Content!.Processes).Pid);
    }

    [Theory]
    [InlineData("""{"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":4,"ownerStartTime":5,"bootId":"b","processes":null}""", "\"processes\"")]
    [InlineData("""{"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":4,"ownerStartTime":5,"bootId":"b"}""", "\"processes\"")]
    [InlineData("""{"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":4,"ownerStartTime":5,"bootId":"b","processes":[null]}""", "process record")]
    [InlineData("""{"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":4,"ownerStartTime":5,"bootId":"b","processes":[{"pid":0}]}""", "process record")]
    [InlineData("""{"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":"4","ownerStartTime":5,"bootId":"b","processes":[]}""", "not a registry file")]
    [InlineData("""{"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":99999999999,"ownerStartTime":5,"bootId":"b","processes":[]}""", "not a registry file")]
    [InlineData("""{"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":4,"ownerStartTime":-5,"bootId":"b","processes":[]}""", "not a registry file")]
    [InlineData("""{"silo":"S","instanceToken":"t","ownerPid":4,"ownerStartTime":5,"bootId":"b","processes":[]}""", "clusterId")]
    [InlineData("""{"clusterId":"c1","silo":"S","instanceToken":"t","ownerPid":4,"ownerStartTime":5,"bootId":"b","processes":{}}""", "not a registry file")]
    [InlineData("null", "null")]
    [InlineData("[]", "not a registry file")]
    [InlineData("", "not a registry file")]
    [InlineData("\uD800", "not a registry file")]
    public void Malformed_content_is_refused_with_a_reason_and_never_throws(string json, string reasonPart)
    {
        var read = RegistryFiles.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Null(read.Content);
        Assert.Contains(reasonPart, read.Refusal);
    }

    [Fact]
    public void Randomly_mutated_files_are_read_or_refused_and_never_throw()
    {
        var seed = Environment.GetEnvironmentVariable("DSPEX_TEST_SEED") is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"seed {seed} (rerun with DSPEX_TEST_SEED={seed})");
        var random = new Random(seed);
        var valid = Encoding.UTF8.GetBytes(Valid);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = valid.ToArray();
            for (var m = random.Next(1, 6); m > 0; m--)
            {
                bytes[random.Next(bytes.Length)] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)Structural[random.Next(Structural.Length)],
                    _ => 0x20,
                };
            }

            var read = RegistryFiles.Parse(bytes);
            Assert.True((read.Content is null) != (read.Refusal is null), $"seed {seed}, case {i}: neither content nor a refusal");
        }
    }
}
