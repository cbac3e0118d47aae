using DSPex.Orleans.Configuration;
using DSPex.Orleans.Pool;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Bridge;
using Microsoft.Extensions.Logging.Abstractions;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>
/// A worker whose start fails reaches the pool (and whoever reads the exception) as the public
/// <see cref="WorkerStartException"/>, though the worker core that started it throws its own internal
/// <see cref="BridgeStartException"/>: the pool's starter wraps the core's, which stays as the inner cause.
/// </summary>
[Trait("Category", "Process")]
public sealed class WorkerStartFailureTests
{
    [Fact]
    public async Task A_failed_start_is_the_public_WorkerStartException_with_the_cores_as_its_cause()
    {
        // A real interpreter and a bridge folder without the bridge script: Python exits at once, before any handshake.
        using var folder = new TemporaryDirectory();
        var spawned = new List<PythonProcess>();
        var options = new DSPexPoolOptions { PythonExecutable = "python3", BridgeDirectory = folder.Path, StartTimeout = TimeSpan.FromMinutes(2) };
        var starter = new PythonWorkerStarter(options, "start-failure", "S", Guid.NewGuid().ToString("N"), slot => $"S|{slot}", 1,
            NullLoggerFactory.Instance, spawned.Add);

        var failed = await Assert.ThrowsAsync<WorkerStartException>(() => starter.StartAsync(0, CancellationToken.None));

        var core = Assert.IsType<BridgeStartException>(failed.InnerException);
        Assert.Equal(core.Message, failed.Message);
        Assert.Contains("Python worker S|0", failed.Message);
        // The spawned process was ended by the failed start itself (its exit is what failed it).
        var process = Assert.Single(spawned);
        await process.ProcessEnded.WaitAsync(TimeSpan.FromMinutes(1));
        await process.DisposeAsync();
    }
}
