namespace DSPex.Orleans.Contracts;

/// <summary>
/// What one silo's orphan sweep saw and did. Found counts processes proven ours and orphaned; Preserved counts
/// processes carrying this cluster's marker that were left alone because a live owner claims or may claim them.
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.SweepReport")]
public sealed record SweepReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Trigger,
    [property: Id(2)] int Found,
    [property: Id(3)] int TerminatedGracefully,
    [property: Id(4)] int TerminatedForcibly,
    [property: Id(5)] int Errors,
    [property: Id(6)] int Preserved,
    [property: Id(7)] int StaleRecordsRemoved,
    [property: Id(8)] IReadOnlyList<string> Details)
{
    /// <summary>Orphans ended, gracefully or by SIGKILL.</summary>
    public int Terminated => TerminatedGracefully + TerminatedForcibly;

    /// <summary>A one-line summary for logs.</summary>
    public override string ToString() =>
        $"{Trigger} sweep on {Silo}: found {Found}, terminated {Terminated} ({TerminatedGracefully} graceful, {TerminatedForcibly} forced), "
        + $"errors {Errors}, preserved {Preserved}, stale records removed {StaleRecordsRemoved}";
}
