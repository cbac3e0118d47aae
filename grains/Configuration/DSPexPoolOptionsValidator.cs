using DSPex.Orleans.Contracts;
using DSPex.Orleans.Workers.Python;
using Microsoft.Extensions.Options;

namespace DSPex.Orleans.Configuration;

/// <summary>
/// Rejects pool settings the pool could not honour as written, instead of the pool quietly using something else:
/// sizes, windows and timeouts that are not positive, a heartbeat timeout that does not outlast its interval, a
/// recycle jitter outside [0, 1), a default deadline above the longest one a caller may ask for, a bridge folder
/// without the bridge (every worker start would fail).
/// </summary>
internal sealed class DSPexPoolOptionsValidator : IValidateOptions<DSPexPoolOptions>
{
    public ValidateOptionsResult Validate(string? name, DSPexPoolOptions options)
    {
        var pool = string.IsNullOrEmpty(name) ? PoolNames.Default : name;
        var failures = new OptionFailures(DSPexPoolOptions.SectionOf(pool));
        if (PoolNames.Check(pool, "the pool name") is { } badName)
        {
            failures.Add($"{DSPexPoolOptions.NamedPoolsSectionName}:{pool}: {badName.Message}.");
        }

        failures.Check(pool != PoolNames.Default || options.SiloLabel is null, nameof(options.SiloLabel),
            "must be unset for the default pool, which runs on every silo (give a named pool a label)", $"'{options.SiloLabel}'");
        failures.Check(options.SiloLabel is null || PoolNames.IsValid(options.SiloLabel), nameof(options.SiloLabel),
            "must be 1-32 of a-z, 0-9, '-' and '_'", $"'{options.SiloLabel}'");
        failures.Positive(options.Size, nameof(options.Size));
        CheckElasticSizes(failures, options, isDefault: pool == PoolNames.Default);
        failures.Positive(options.ConcurrencyPerWorker, nameof(options.ConcurrencyPerWorker));
        failures.Check(options.ConcurrencyPerWorker <= DSPexPoolOptions.MaxConcurrencyPerWorker, nameof(options.ConcurrencyPerWorker),
            $"must be at most {DSPexPoolOptions.MaxConcurrencyPerWorker}", options.ConcurrencyPerWorker);
        failures.Check(options.SendAhead is >= 0 and <= DSPexPoolOptions.MaxSendAhead, nameof(options.SendAhead),
            $"must be between 0 (off) and {DSPexPoolOptions.MaxSendAhead}", options.SendAhead);
        failures.NotNegative(options.MaxQueueLength, nameof(options.MaxQueueLength));
        failures.Positive(options.MaxFrameBytes, nameof(options.MaxFrameBytes));
        failures.Positive(options.StreamWindow, nameof(options.StreamWindow));
        failures.NotNegative(options.RecycleAfterRequests, nameof(options.RecycleAfterRequests));
        failures.NotNegative(options.MaxWorkerResidentBytes, nameof(options.MaxWorkerResidentBytes));
        failures.Positive(options.MaxSpillSilos, nameof(options.MaxSpillSilos));
        failures.Check(options.RecycleJitter is >= 0 and < 1, nameof(options.RecycleJitter), "must lie in [0, 1)", options.RecycleJitter);
        failures.Check(Enum.IsDefined(options.StderrLogLevel), nameof(options.StderrLogLevel), "must be a log level (Trace, Debug, Information, Warning, Error, Critical, None)", options.StderrLogLevel);
        failures.Check(!string.IsNullOrWhiteSpace(options.PythonExecutable), nameof(options.PythonExecutable), "must name an interpreter", $"'{options.PythonExecutable}'");

        failures.Positive(options.QueueTimeout, nameof(options.QueueTimeout));
        failures.Positive(options.RequestTimeout, nameof(options.RequestTimeout));
        failures.Positive(options.MaxRequestTimeout, nameof(options.MaxRequestTimeout));
        failures.Positive(options.StreamIdleTimeout, nameof(options.StreamIdleTimeout));
        failures.Positive(options.StartTimeout, nameof(options.StartTimeout));
        failures.Positive(options.HeartbeatInterval, nameof(options.HeartbeatInterval));
        failures.NotNegative(options.AffinityHintWait, nameof(options.AffinityHintWait));
        failures.NotNegative(options.CancelGracePeriod, nameof(options.CancelGracePeriod));
        failures.NotNegative(options.StopGracePeriod, nameof(options.StopGracePeriod));
        failures.NotNegative(options.DrainTimeout, nameof(options.DrainTimeout));
        if (options.MaxWorkerAge is { } age)
        {
            failures.Positive(age, nameof(options.MaxWorkerAge));
        }

        failures.Check(options.HeartbeatTimeout > options.HeartbeatInterval, nameof(options.HeartbeatTimeout),
            $"must be longer than HeartbeatInterval ({options.HeartbeatInterval})", options.HeartbeatTimeout);
        failures.Check(options.RequestTimeout <= options.MaxRequestTimeout, nameof(options.RequestTimeout),
            $"must not exceed MaxRequestTimeout ({options.MaxRequestTimeout})", options.RequestTimeout);
        failures.Check(options.MaxRequestTimeout <= RequestLimits.MaxTimeout, nameof(options.MaxRequestTimeout),
            $"must not exceed {RequestLimits.MaxTimeout} (the execute calls' response timeout)", options.MaxRequestTimeout);
        CheckBridge(failures, options.BridgeDirectory);
        return failures.Result;
    }

    /// <summary>
    /// The default pool's min at least 1 (a silo is ready only with a live default worker, and its probe call must not
    /// wait for a cold start); a named pool's min may be 0 (no worker while idle, one started by the first call). Max
    /// at least 1 and at least min; the delays positive.
    /// </summary>
    private static void CheckElasticSizes(OptionFailures failures, DSPexPoolOptions options, bool isDefault)
    {
        // Unset, MinSize is Size, which has its own check above (one failure per wrong value).
        failures.Check(options.MinSize is null || options.MinSize >= (isDefault ? 1 : 0), nameof(options.MinSize), isDefault
            ? "must be at least 1 for the default pool (a silo is ready only with a live worker in it; a named pool may have 0)"
            : "must not be negative (0: no worker while idle, the first call starts one)", options.MinSize);
        failures.Check(options.MaxSize is null or >= 1, nameof(options.MaxSize), "must be at least 1", options.MaxSize);
        failures.Check(options.EffectiveMaxSize >= options.EffectiveMinSize, nameof(options.MaxSize),
            $"must not be below MinSize ({options.EffectiveMinSize}; unset, each stands for Size)", options.EffectiveMaxSize);
        failures.Positive(options.ScaleUpAfter, nameof(options.ScaleUpAfter));
        failures.Positive(options.ScaleDownIdleTimeout, nameof(options.ScaleDownIdleTimeout));
    }

    private static void CheckBridge(OptionFailures failures, string? configured)
    {
        var bridge = BridgeLocation.Resolve(configured);
        if (BridgeLocation.HasBridge(bridge))
        {
            return;
        }

        var script = PythonProcessStartInfo.BridgeScriptName;
        failures.Check(false, nameof(DSPexPoolOptions.BridgeDirectory), configured is not null
            ? $"must be a folder holding {script}"
            : $"is unset and no default folder holds {script} (looked in {string.Join(", ", BridgeLocation.Candidates())}; the DSPex.Orleans.Hosting package copies it to Python/ in the build output unless DSPexCopyPythonBridge is false)",
            configured ?? "unset");
    }
}
