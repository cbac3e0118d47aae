namespace DSPex.Orleans.Processes;

/// <summary>
/// How reader threads read a worker's output: batched (the default: see <see cref="ReplyFrameReader"/>), or per frame
/// when the silo's environment has DSPEX_REPLY_READS=per-frame. The switch exists for the benchmark's one-run A/B
/// (<c>--variant-env DSPEX_REPLY_READS=per-frame</c>, docs/benchmarks/ab/reply-batching.md); it is read once, by the
/// operator who starts the silo, and any other value means batched.
/// </summary>
internal static class ReplyReads
{
    public const string EnvironmentVariable = "DSPEX_REPLY_READS";

    public static readonly bool Batched =
        !string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), "per-frame", StringComparison.Ordinal);
}
