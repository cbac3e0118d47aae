using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Client;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Python;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// Binary payloads (issue 23 items 1 and 2), on a co-hosted silo with a 32 MiB frame limit and one worker: round trips
/// of 64 KiB, 1 MiB and 16 MiB of bytes as binary parts against base64 text in JSON (Python decodes and encodes it, as a
/// user would), and a 1M-element float32 array as a binary part against a JSON list of numbers. The variants alternate
/// call by call, so the machine's load falls on both alike. Reports median round trip, this process's CPU (client and
/// silo) per MiB, and the ratios; and binary parts against the raw pipe (the product's PythonProcess channel to one
/// bridge worker, no Orleans), the floor for the same bytes.
/// </summary>
public static class BinaryPayloadCell
{
    private const int FrameLimit = 32 * 1024 * 1024;

    public static async Task<IReadOnlyList<string>> RunAsync(BenchmarkOptions options, List<ClusterSettings> clusters, CancellationToken cancellationToken)
    {
        var cluster = ClusterSettings.Create("binary", 1, options.PythonExecutable);
        clusters.Add(cluster);
        await using var scenario = new ClusterInProcessScenario(cluster, maxFrameBytes: FrameLimit);
        await scenario.StartAsync(cancellationToken);
        var client = scenario.Client;
        // The raw pipe: the product's PythonProcess channel to a bridge worker of the same interpreter and frame limit,
        // driven from here (no Orleans, no pool): the floor the binary parts path is measured against.
        var rawPipe = await new BridgeWorkers(cluster.ClusterId, options.PythonExecutable, FrameLimit).StartOneAsync(cancellationToken);
        await using var rawPipeOwner = rawPipe;
        var lines = new List<string> { "binary payloads: co-hosted silo, 1 worker, frame limit 32 MiB; variants alternate call by call; median of N round trips, CPU of this process (client + silo) per MiB; raw pipe: PythonProcess to one bridge worker, no Orleans" };
        var random = new Random(23);
        foreach (var (size, calls) in new[] { (64 * 1024, options.Quick ? 40 : 200), (1024 * 1024, options.Quick ? 12 : 50), (16 * 1024 * 1024, options.Quick ? 3 : 8) })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            var binary = new Variant("binary parts", async () =>
            {
                var result = await client.ExecuteDataAsync("bytes_roundtrip", new { Data = new BinaryData(bytes) });
                Check(result.Read<BytesResult>()!.Data.ToMemory().Length == size);
            });
            var base64 = new Variant("base64 in JSON", async () =>
            {
                var json = await client.ExecuteRawAsync("bytes_roundtrip", JsonSerializer.Serialize(new { b64 = Convert.ToBase64String(bytes) }));
                using var document = JsonDocument.Parse(json);
                Check(document.RootElement.GetProperty("b64").GetBytesFromBase64().Length == size);
            });
            lines.Add(await CompareAsync($"{size / 1024} KiB of bytes", size, calls, binary, base64));
            var raw = new Variant("raw pipe", async () =>
            {
                var reply = await rawPipe.Connection.Send(new BridgeCall("bytes_roundtrip", """{"data":{"$bytes":0}}""", Parts: [bytes])).Finished;
                Check(reply.Error is null && reply.ResultParts is [{ Length: var length }] && length == size);
            });
            lines.Add(await CompareAsync($"{size / 1024} KiB of bytes", size, calls, binary, raw));
        }

        var floats = Enumerable.Range(0, 1_000_000).Select(i => i * 0.001f).ToArray();
        var array = new Variant("float32 array part", async () =>
        {
            var result = await client.ExecuteDataAsync("array_roundtrip", new { V = DSPexArray.From(floats) });
            Check(result.Read<ArrayResult>()!.V.ToArray<float>().Length == floats.Length);
        });
        var list = new Variant("JSON list", async () =>
        {
            var result = await client.ExecuteAsync<ListResult>("array_roundtrip", new { V = floats });
            Check(result.V.Length == floats.Length);
        });
        lines.Add(await CompareAsync("1M float32", floats.Length * 4, options.Quick ? 3 : 8, array, list));
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }

        return lines;
    }

    private static void Check(bool ok)
    {
        if (!ok)
        {
            throw new InvalidOperationException("a round trip came back with the wrong size");
        }
    }

    private static async Task<string> CompareAsync(string what, int bytes, int calls, Variant a, Variant b)
    {
        await a.Call(); // warm: first use of each path
        await b.Call();
        var times = new[] { new List<double>(), new List<double>() };
        var cpu = new double[2];
        for (var i = 0; i < calls; i++)
        {
            foreach (var (variant, slot) in i % 2 == 0 ? new[] { (a, 0), (b, 1) } : [(b, 1), (a, 0)])
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var started = Stopwatch.GetTimestamp();
                await variant.Call();
                times[slot].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                cpu[slot] += (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
            }
        }

        var mib = bytes / (1024.0 * 1024.0) * calls;
        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var (ma, mb) = (Median(times[0]), Median(times[1]));
        return string.Create(CultureInfo.InvariantCulture,
            $"{what}: {a.Name} p50 {ma:0.00} ms, {cpu[0] / mib:0.0} ms CPU/MiB; {b.Name} p50 {mb:0.00} ms, {cpu[1] / mib:0.0} ms CPU/MiB; "
            + $"ratio {b.Name}/{a.Name}: time {mb / ma:0.00}x, CPU {cpu[1] / Math.Max(cpu[0], 1e-9):0.00}x ({calls} calls each)");
    }

    private sealed record Variant(string Name, Func<Task> Call);

    private sealed record BytesResult(BinaryData Data);

    private sealed record ArrayResult(DSPexArray V);

    private sealed record ListResult(float[] V);
}
