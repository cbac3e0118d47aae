namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// One check of a machine or pod, shared by the silo's start-up (which fails fast on <see cref="CheckStatus.Fail"/>
/// with the result's message) and `dspex doctor` (which prints every result). A check reports what it found; it
/// throws only when cancelled.
/// </summary>
internal interface IDiagnosticCheck
{
    string Name { get; }

    Task<CheckResult> RunAsync(CancellationToken cancellationToken);
}
