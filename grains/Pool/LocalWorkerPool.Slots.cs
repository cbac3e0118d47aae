using DSPex.Orleans.Configuration;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;
using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Processes;
using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.Pool;

/// <summary>Slots and their workers: starting, restarting after a back-off, joining and leaving the pool.</summary>
public sealed partial class LocalWorkerPool
{
    private async Task StartSlotAsync(int slot, bool retryInBackground)
    {
        try
        {
            await _grainFactory.GetGrain<IWorkerGrain>(_scheduler.WorkerIdOf(slot)).EnsureStartedAsync();
        }
        catch (Exception e) when (!_stopping && !_stopped.IsCancellationRequested)
        {
            Log.StartFailed(_logger, e, _scheduler.WorkerIdOf(slot));
            _lastStartError = e.Message.Split('\n', 2)[0];
            _scheduler.StartFailed(slot, _lastStartError);
            if (retryInBackground)
            {
                RestartLater(slot);
            }
            else
            {
                throw;
            }
        }
        catch (Exception) when (_stopping || _stopped.IsCancellationRequested)
        {
            // The pool is stopping (or its warm-up was cancelled): the start was ended on purpose.
        }
    }

    private void RestartLater(int slot) => _background.Run($"restart of worker {_scheduler.WorkerIdOf(slot)}", () => RestartLaterAsync(slot, _stopped.Token));

    /// <summary>Restarts a dead worker after a back-off that grows with crashes in a row, so a crash storm cannot spin.</summary>
    private async Task RestartLaterAsync(int slot, CancellationToken cancellationToken)
    {
        while (!_stopping && !cancellationToken.IsCancellationRequested)
        {
            var delay = RestartBackoff.Delay(_scheduler.ConsecutiveFailures(slot));
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            try
            {
                await StartSlotAsync(slot, retryInBackground: false);
                return;
            }
            catch (Exception) when (!_stopping)
            {
            }
        }
    }

    /// <summary>What a worker grain starts for its slot.</summary>
    internal PythonProcessStartInfo CreateStartInfo(int slotIndex)
    {
        var workerId = _scheduler.WorkerIdOf(slotIndex);
        var bridgeDirectory = BridgeLocation.Resolve(_options.BridgeDirectory);
        return new PythonProcessStartInfo(
            workerId,
            _pythonExecutable ?? PythonInterpreter.Resolve(_options.PythonExecutable),
            bridgeDirectory,
            new ProcessMarker(_clusterId, SiloKey, workerId, _instanceToken),
            _options.AdapterModules,
            _options.AdapterPaths,
            _options.Environment,
            _options.InheritEnvironment,
            _options.MaxFrameBytes,
            _scheduler.Concurrency,
            _options.StartTimeout)
        {
            StderrLogLevel = _options.StderrLogLevel,
            Spawned = process => ProcessSpawned?.Invoke(process),
        };
    }

    /// <summary>The category of everything a worker process logs, its stderr lines included.</summary>
    internal const string WorkerLogCategory = "DSPex.Orleans.PythonWorker";

    internal Microsoft.Extensions.Logging.ILogger CreateWorkerLogger() => _loggerFactory.CreateLogger(WorkerLogCategory);

    internal bool IsValidSlot(int slotIndex) => slotIndex >= 0 && slotIndex < _scheduler.Size;

    /// <summary>Called by a worker grain once its process is ready: its capacity joins the pool.</summary>
    internal void Attach(int slotIndex, PythonProcess process)
    {
        _adapterCommands = [.. process.Commands.Where(c => !BridgeBuiltins.Commands.Contains(c))];
        _commandsKnown = true;
        _lastStartError = null;
        ProcessAttached?.Invoke(process);
        process.ExitedEvent += OnProcessExited;
        foreach (var (waiter, lease) in _scheduler.Attach(slotIndex, process, _recycle.RequestLimit(Random.Shared.NextDouble())))
        {
            Deliver((CapacityWaiter)waiter, lease);
        }

        if (process.HasExited)
        {
            OnProcessExited(process);
        }
    }

    private void OnProcessExited(PythonProcess process)
    {
        if (SlotOf(process.WorkerId) is not { } slot || !_scheduler.WorkerExited(slot, process, crashed: !process.StopRequested))
        {
            return;
        }

        if (!_stopping && !process.StopRequested)
        {
            _counters.Restarted();
            Metrics?.WorkerRestarted();
            RestartLater(slot);
        }
    }

    private int? SlotOf(string workerId)
    {
        for (var i = 0; i < _scheduler.Size; i++)
        {
            if (_scheduler.WorkerIdOf(i) == workerId)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>One slot's state, as the stats report it.</summary>
    internal WorkerInfo SlotInfo(int slotIndex) => ToWorkerInfo(_scheduler.View(slotIndex));

    /// <summary>The slot's live process, for a worker grain activation to adopt.</summary>
    internal PythonProcess? CurrentProcess(int slotIndex) => _scheduler.LiveWorker(slotIndex);

    /// <summary>A worker grain went away while the silo lives on: activate it again so the slot keeps an owner.</summary>
    internal void ReactivateLater(int slotIndex)
    {
        Log.Reactivating(_logger, _scheduler.WorkerIdOf(slotIndex));
        _background.Run($"reactivation of worker {_scheduler.WorkerIdOf(slotIndex)}", () => StartSlotAsync(slotIndex, retryInBackground: true));
    }

    internal void Detach(int slotIndex, PythonProcess process) => _scheduler.Detach(slotIndex, process);
}
