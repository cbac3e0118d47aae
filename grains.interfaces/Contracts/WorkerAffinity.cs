namespace DSPex.Orleans.Contracts;

/// <summary>How strongly a session call wants the worker it last ran on.</summary>
[Alias("DSPex.Orleans.Contracts.AffinityMode")]
public enum AffinityMode
{
    /// <summary>Prefer the last worker if it is free or frees shortly; otherwise any worker (programs are rebuilt there).</summary>
    Hint = 0,

    /// <summary>Wait for the last worker, bounded by the queue timeout.</summary>
    StrictQueue = 1,

    /// <summary>Fail at once with WorkerBusy (or SessionWorkerUnavailable when it is gone).</summary>
    StrictFailFast = 2,
}

/// <summary>The worker a session prefers: its slot id and the pid of the process that holds the session's programs.</summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.WorkerAffinity")]
public sealed record WorkerAffinity(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] int Pid,
    [property: Id(2)] AffinityMode Mode);
