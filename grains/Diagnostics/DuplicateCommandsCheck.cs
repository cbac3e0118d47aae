namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// Command names registered by two functions: the later registration silently wins in every worker, so a caller
/// gets the other function's answer. A warning naming both definitions (the silo still starts: the set it serves is
/// well defined), unless the listing itself failed, which <see cref="AdaptersCheck"/> reports.
/// </summary>
internal sealed class DuplicateCommandsCheck(string pool, BridgeListing listing) : IDiagnosticCheck
{
    public string Name => $"pool {pool}: duplicate commands";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var outcome = await listing.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (outcome.Listing is not { } found)
        {
            return CheckResult.Skip(Name, "no command listing (see the adapters check)");
        }

        var duplicates = found.GetProperty("duplicates").EnumerateObject()
            .Select(d => $"{d.Name}: {string.Join(", then ", d.Value.EnumerateArray().Select(o => o.GetString()))} (the last one serves)")
            .ToList();
        return duplicates.Count == 0
            ? CheckResult.Pass(Name, "every command name is registered once")
            : new CheckResult(Name, CheckStatus.Warn, $"{duplicates.Count} command name(s) registered more than once", DiagnosticChecks.PoolSetting(pool, "AdapterModules"), duplicates);
    }
}
