using System.Diagnostics;
using System.Globalization;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Client;

namespace DSPex.Orleans.Benchmarks.Scenarios;

/// <summary>
/// Large data as streams (issue 23 item 3), on a co-hosted silo with an 80 MiB frame limit (so one binary part can
/// carry 64 MiB) and one worker: 16 MiB and 64 MiB into a command as an upload of 1 MiB chunks (DSPexClient.UploadAsync)
/// against the same bytes as one binary part (ExecuteDataAsync); the command hashes what it got and answers a digest.
/// And out of a command: a download of 1 MiB chunks (DownloadChunksAsync) against one binary part in the result.
/// The variants alternate call by call. Reports median time, this process's CPU (client and silo) per MiB, and ratios.
/// </summary>
public static class UploadStreamCell
{
    private const int FrameLimit = 80 * 1024 * 1024;

    public static async Task<IReadOnlyList<string>> RunAsync(BenchmarkOptions options, List<ClusterSettings> clusters, CancellationToken cancellationToken)
    {
        var cluster = ClusterSettings.Create("upload", 1, options.PythonExecutable);
        clusters.Add(cluster);
        await using var scenario = new ClusterInProcessScenario(cluster, maxFrameBytes: FrameLimit);
        await scenario.StartAsync(cancellationToken);
        var client = scenario.Client;
        var lines = new List<string> { "upload and download streams: co-hosted silo, 1 worker, frame limit 80 MiB; 1 MiB chunks vs one binary part; variants alternate call by call; median of N calls, CPU of this process (client + silo) per MiB" };
        var random = new Random(23);
        foreach (var (size, calls) in new[] { (16 * 1024 * 1024, options.Quick ? 4 : 10), (64 * 1024 * 1024, options.Quick ? 3 : 6) })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            var chunks = new Variant("upload stream", async () =>
                Check((await client.UploadAsync("bytes_digest", new MemoryStream(bytes, writable: false))).Read<Digest>()!.Size == size));
            var part = new Variant("one binary part", async () =>
                Check((await client.ExecuteDataAsync("bytes_digest", new { Data = new BinaryData(bytes) })).Read<Digest>()!.Size == size));
            lines.Add(await CompareAsync($"{size / (1024 * 1024)} MiB", size, calls, chunks, part));

            // Out of a command: a download of 1 MiB chunks (DownloadChunksAsync, read whole) against one binary part.
            var download = new Variant("download stream", async () =>
            {
                long got = 0;
                await foreach (var piece in client.DownloadChunksAsync("bytes_chunks", new { size }))
                {
                    got += piece.Length;
                }

                Check(got == size);
            });
            var partOut = new Variant("one binary part out", async () =>
                Check((await client.ExecuteDataAsync("bytes_make", new { size })).Parts.Sum(p => (long)p.Length) == size));
            lines.Add(await CompareAsync($"{size / (1024 * 1024)} MiB out", size, calls, download, partOut));
        }

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
            throw new InvalidOperationException("a command got the wrong number of bytes");
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
            $"{what}: {a.Name} p50 {ma:0.0} ms, {cpu[0] / mib:0.0} ms CPU/MiB; {b.Name} p50 {mb:0.0} ms, {cpu[1] / mib:0.0} ms CPU/MiB; "
            + $"ratio {a.Name}/{b.Name}: time {ma / mb:0.00}x, CPU {cpu[0] / Math.Max(cpu[1], 1e-9):0.00}x ({calls} calls each)");
    }

    private sealed record Variant(string Name, Func<Task> Call);

    private sealed record Digest(string Sha256, long Size);
}
