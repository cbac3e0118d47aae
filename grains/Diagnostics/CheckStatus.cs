namespace DSPex.Orleans.Diagnostics;

/// <summary>How one check came out. Only <see cref="Fail"/> stops a silo's start and makes `dspex doctor` exit non-zero.</summary>
internal enum CheckStatus
{
    Pass,
    Warn,
    Fail,

    /// <summary>Nothing to check (Redis or TLS not configured, no adapters, no silo address given).</summary>
    Skip,
}
