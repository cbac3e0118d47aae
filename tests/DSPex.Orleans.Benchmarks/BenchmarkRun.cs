using System.Diagnostics;
using DSPex.Orleans.Benchmarks.Infrastructure;
using DSPex.Orleans.Benchmarks.Measurement;
using DSPex.Orleans.Benchmarks.Reporting;
using DSPex.Orleans.Benchmarks.Scenarios;
using DSPex.Orleans.Benchmarks.Scenarios.ClientCost;
using DSPex.Orleans.Benchmarks.Startup;
using DSPex.Orleans.Benchmarks.Workloads;
using DSPex.Orleans.Processes;
using HdrHistogram;

namespace DSPex.Orleans.Benchmarks;

/// <summary>
/// One benchmark run: start-up first (on a quiet machine), then every scenario started side by side and the
/// sweep run cell by cell with the scenarios interleaved (and their order rotated each round), so a noisy
/// neighbour hits the baselines and the candidates alike. Then reports, and a check that no process is left.
/// </summary>
public static class BenchmarkRun
{
    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();
        var notes = new List<string>();
        var interpreter = PythonInterpreter.Resolve(options.PythonExecutable);
        var rawCluster = $"bench-raw-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        var bridge = new BridgeWorkers(rawCluster, interpreter);
        var grpcMarker = $"cluster=bench-grpc-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]};";
        Console.WriteLine($"dspex-bench: N = {options.Workers}, {options.CellDuration.TotalSeconds} s per cell after {options.CellWarmUp.TotalSeconds} s warm-up, {options.Rounds} round(s); python {interpreter}");

        StartupResult? startup = null;
        if (options.Runs("startup"))
        {
            Console.WriteLine("start-up: cold start, pool of N concurrently, pool of N one by one ...");
            startup = await StartupBenchmark.RunAsync(bridge, options.Workers, options.StartupRepeats);
            Console.WriteLine($"  {startup}");
        }

        var scenarios = new List<IScenario>();
        var clusters = new List<ClusterSettings>();
        string? pythonVersion = null;
        ClusterRemoteScenario? remote = null;
        TlsBenchmarkCluster? tls = null;
        try
        {
            if (options.Runs("raw-pipe"))
            {
                scenarios.Add(new RawPipeScenario(bridge, 1));
                if (options.Workers > 1)
                {
                    scenarios.Add(new RawPipeScenario(bridge, options.Workers));
                }
            }

            if (options.Runs("cluster-remote"))
            {
                var cluster = ClusterSettings.Create("remote", options.Workers, options.PythonExecutable);
                clusters.Add(cluster);
                scenarios.Add(remote = new ClusterRemoteScenario(cluster));
                if (options.Runs("orleans-floor"))
                {
                    scenarios.Add(new OrleansFloorScenario(cluster, remote));
                }

                if (options.Runs("client-floor"))
                {
                    // The client library alone: its execute path against the floor grain, this build and the A/B build.
                    scenarios.Add(new ClientCostScenario(cluster, remote, ClientBuild.Current, toFloor: true));
                    if (options.VariantClient is { } other)
                    {
                        scenarios.Add(new ClientCostScenario(cluster, remote, other, toFloor: true));
                    }
                }

                if (options.VariantClient is { } otherClient)
                {
                    // Another build of the client library on the full path, beside cluster-remote.
                    scenarios.Add(new ClientCostScenario(cluster, remote, otherClient, toFloor: false));
                }

                if (options.Runs(FloorDelayScenario.ScenarioName))
                {
                    // The control: the floor's call held back as long as the full path takes (the wait alone).
                    scenarios.Add(new FloorDelayScenario(cluster, remote));
                    if (options.Runs("client-floor"))
                    {
                        // The library under the same wait: against floor-delay, what the library adds while it waits.
                        scenarios.Add(new ClientCostScenario(cluster, remote, ClientBuild.Current, toFloor: true, new FloorDelayCalibration()));
                    }
                }

                if (options.Runs("floor-token"))
                {
                    scenarios.Add(new FloorTokenScenario(cluster, remote));
                }

                if (options.Runs("cluster-session"))
                {
                    scenarios.Add(new ClusterSessionScenario(cluster, remote));
                }

                if (options.Runs("tool-roundtrip"))
                {
                    scenarios.Add(new ToolRoundTripScenario(cluster, remote, 1));
                    scenarios.Add(new ToolRoundTripScenario(cluster, remote, 10));
                }
                if (options.Variant is { } variant)
                {
                    var variantCluster = ClusterSettings.Create("variant", options.Workers, options.PythonExecutable);
                    clusters.Add(variantCluster);
                    scenarios.Add(new ClusterRemoteScenario(variantCluster, variant));
                }
            }

            if (options.Runs("cluster-remote-tls"))
            {
                // The same path with TLS and an API key checked on every call: its ratio to cluster-remote is their cost.
                tls = new TlsBenchmarkCluster();
                var tlsCluster = ClusterSettings.Create("tls", options.Workers, options.PythonExecutable);
                clusters.Add(tlsCluster);
                scenarios.Add(new ClusterRemoteScenario(tlsCluster, tls.Variant, tls.ConfigureClient));
            }

            if (options.Runs("cluster-inproc"))
            {
                var cluster = ClusterSettings.Create("inproc", options.Workers, options.PythonExecutable);
                clusters.Add(cluster);
                scenarios.Add(new ClusterInProcessScenario(cluster));
            }

            if (options.Runs("pythonnet"))
            {
                scenarios.Add(new PythonNetScenario(interpreter));
            }

            if (options.Runs("grpc-peer"))
            {
                // The peer's transport: N Python gRPC servers serving the same commands (skipped without grpcio).
                scenarios.Add(new GrpcPeerScenario(options.Workers, options.PythonExecutable, grpcMarker));
            }

            foreach (var scenario in scenarios.ToList())
            {
                Console.WriteLine($"starting {scenario.Name}: {scenario.Description}");
                try
                {
                    await scenario.StartAsync(cancellationToken);
                    if (scenario is PythonNetScenario pythonNet)
                    {
                        pythonVersion = pythonNet.PythonVersion;
                    }
                }
                catch (ScenarioUnavailableException e)
                {
                    Console.WriteLine($"  SKIPPED {scenario.Name}: {e.Message}");
                    notes.Add($"{scenario.Name} skipped: {e.Message}");
                    scenarios.Remove(scenario);
                    await scenario.DisposeAsync();
                }
            }

            if (startup is not null && remote?.Silo is { } silo)
            {
                startup = startup with
                {
                    SiloPoolWarmUpMs = silo.PoolWarmUp?.TotalMilliseconds,
                    SiloSpawnToWarmMs = silo.SpawnToWarm is { } warm ? Math.Round(warm.TotalMilliseconds, 1) : null,
                };
            }

            if (options.Runs("io-bound"))
            {
                notes.AddRange(await IoBoundCell.RunAsync(options, clusters, cancellationToken));
            }

            if (options.Runs("binary"))
            {
                notes.AddRange(await BinaryPayloadCell.RunAsync(options, clusters, cancellationToken));
            }

            if (options.Runs("upload"))
            {
                notes.AddRange(await UploadStreamCell.RunAsync(options, clusters, cancellationToken));
            }

            var workloads = Workload.All.Where(w => options.Workloads.Contains(w.Name)).ToList();
            await WarmUpAsync(scenarios, workloads, options);
            var cells = await SweepAsync(scenarios, workloads, options, notes);
            foreach (var line in ToolRoundTripScenario.Summarise(cells))
            {
                Console.WriteLine(line);
                notes.Add(line);
            }
            var memory = scenarios.Select(s => s.Memory()).OfType<ScenarioMemory>().ToList();

            var report = new BenchmarkReport(
                new RunInfo(
                    startedAt,
                    ReproduceCommand(),
                    options.Quick ? "quick" : "full",
                    Environment.ProcessorCount,
                    System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                    Environment.Version.ToString(),
                    pythonVersion,
                    GitCommit(),
                    options.CellDuration.TotalSeconds,
                    options.CellWarmUp.TotalSeconds,
                    options.Rounds,
                    options.Workers,
                    Math.Round(clock.Elapsed.TotalSeconds, 1),
                    loadBefore,
                    LoadAverage()),
                [.. scenarios.Select(s => new ScenarioInfo(s.Name, s.Description, s.Workers))],
                cells,
                startup,
                memory,
                TargetEvaluator.Evaluate(cells, startup, options.Workers),
                notes,
                FloorComparison.Compare(cells));
            ReportWriter.Write(report, options.OutputDirectory);
        }
        finally
        {
            foreach (var scenario in scenarios)
            {
                await scenario.DisposeAsync();
            }

            tls?.Dispose();
        }

        return CheckNothingLeftBehind([$"cluster={rawCluster};", grpcMarker], clusters) ? 0 : 1;
    }

    /// <summary>JIT, tiered compilation, grain activations (64 router keys) and Python's own caches, before anything is recorded.</summary>
    private static async Task WarmUpAsync(List<IScenario> scenarios, List<Workload> workloads, BenchmarkOptions options)
    {
        Console.WriteLine("warming up every scenario on every workload ...");
        var perCell = TimeSpan.FromSeconds(options.Quick ? 0.5 : 1);
        foreach (var scenario in scenarios)
        {
            foreach (var workload in workloads)
            {
                foreach (var callers in new[] { 1, 4 * options.Workers })
                {
                    var warm = await LoadRunner.RunAsync(scenario, workload, callers, TimeSpan.Zero, perCell);
                    if (warm.Calls == 0 && warm.Errors > 0)
                    {
                        // A workload that cannot succeed would only fill the tables with zeros: stop here.
                        throw new InvalidOperationException($"{scenario.Name} cannot run {workload.Name}: {warm.FirstError}");
                    }
                }
            }
        }
    }

    private static async Task<List<CellResult>> SweepAsync(List<IScenario> scenarios, List<Workload> workloads, BenchmarkOptions options, List<string> notes)
    {
        var rounds = new Dictionary<(string Scenario, string Workload, int Callers), List<CellMeasurement>>();
        if (scenarios.Count == 0)
        {
            return []; // a run of the io-bound cell (or start-up) alone
        }

        for (var round = 0; round < options.Rounds; round++)
        {
            // Rotate the order each round, so no scenario always runs first (or right after a heavy one).
            var order = scenarios.Skip(round % scenarios.Count).Concat(scenarios.Take(round % scenarios.Count)).ToList();
            foreach (var workload in workloads)
            {
                foreach (var callers in options.CallerCounts)
                {
                    foreach (var scenario in order)
                    {
                        // One worker is the sequential baseline; queueing many callers on it says nothing new.
                        if (scenario is RawPipeScenario { Workers: 1 } && callers > options.Workers)
                        {
                            continue;
                        }

                        var key = (scenario.Name, workload.Name, callers);
                        var delayNote = "";
                        if (((scenario as FloorDelayScenario)?.Delay ?? (scenario as ClientCostScenario)?.Delay) is { } delay)
                        {
                            delay.Match(
                                workload.Name,
                                callers,
                                LatestMeanMicros(rounds, (FloorDelayScenario.Matched, workload.Name, callers)) ?? 0,
                                LatestMeanMicros(rounds, (FloorComparison.Floor, workload.Name, callers)) ?? 0,
                                LatestMeanMicros(rounds, key));
                            delayNote = $"  delay {delay.Milliseconds} ms";
                        }

                        var measured = await LoadRunner.RunAsync(scenario, workload, callers, options.CellWarmUp, options.CellDuration);
                        (rounds.TryGetValue(key, out var list) ? list : rounds[key] = []).Add(measured);
                        var merged = CellMeasurement.Merge(scenario.Name, workload.Name, callers, [measured]);
                        Console.WriteLine(
                            $"  r{round + 1} {workload.Name,-9} {callers,3} callers  {scenario.Name,-17} {merged.CallsPerSecond,10:0.0}/s  "
                            + $"p50 {merged.P50Micros,8:0.0}  p99 {merged.P99Micros,9:0.0}  p99.9 {merged.P999Micros,9:0.0} us"
                            + $"  mean {MeanMicros(measured),8:0.0} us  client {merged.BenchCpuMicrosPerCall,7:0.0} us {merged.Switches?.Bench ?? 0,6:0.00} sw"
                            + $"  silo {merged.SiloCpuMicrosPerCall,7:0.0} us {merged.Switches?.Silo ?? 0,6:0.00} sw  tp {merged.ThreadPoolItemsPerCall,5:0.00}/call"
                            + delayNote
                            + (measured.Errors > 0 ? $"  {measured.Errors} errors" : ""));
                        if (measured.FirstError is { } error)
                        {
                            notes.Add($"{scenario.Name} {workload.Name} x{callers}: {measured.Errors} errors, first: {error}");
                        }
                    }
                }
            }
        }

        return [.. rounds.Select(r => CellMeasurement.Merge(r.Key.Scenario, r.Key.Workload, r.Key.Callers, r.Value))];
    }

    /// <summary>Mean latency of a cell's calls, from its latency histogram, in microseconds.</summary>
    private static double MeanMicros(CellMeasurement measured) =>
        measured.Calls == 0 ? 0 : measured.Latencies.GetMean() * 1e6 / Stopwatch.Frequency;

    /// <summary>The mean latency of a cell's latest round so far (this round's when it ran already), or null.</summary>
    private static double? LatestMeanMicros(
        Dictionary<(string Scenario, string Workload, int Callers), List<CellMeasurement>> rounds, (string, string, int) key) =>
        rounds.TryGetValue(key, out var list) && list.LastOrDefault(m => m.Calls > 0) is { } latest ? MeanMicros(latest) : null;

    private static bool CheckNothingLeftBehind(string[] ownMarkers, List<ClusterSettings> clusters)
    {
        Thread.Sleep(500);
        var markers = clusters.Select(c => c.WorkerMarker).Concat(ownMarkers);
        var left = markers.SelectMany(marker => OsProcess.WithCommandLineContaining(marker)).ToList();
        foreach (var pid in left)
        {
            Console.Error.WriteLine($"Python worker pid {pid} was left behind; killing it");
            OsProcess.Signal(pid, OsProcess.SIGKILL);
        }

        Console.WriteLine(left.Count == 0 ? "no Python worker left behind" : $"{left.Count} Python workers were left behind (killed)");
        return left.Count == 0;
    }

    private static string ReproduceCommand()
    {
        var args = Environment.GetCommandLineArgs().Skip(1).ToList();
        return "dotnet run -c Release --project tests/DSPex.Orleans.Benchmarks" + (args.Count == 0 ? "" : " -- " + string.Join(' ', args));
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string? GitCommit()
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", BenchmarkPaths.RepositoryRoot, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true };
            using var git = Process.Start(start)!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? commit : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
