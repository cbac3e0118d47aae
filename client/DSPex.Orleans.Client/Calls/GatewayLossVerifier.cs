using DSPex.Orleans.Contracts;
using DSPex.Orleans.Grains;

namespace DSPex.Orleans.Client.Calls;

/// <summary>
/// When a gateway connection drops, asks the live silos which of the calls then in flight they still hold, and
/// fails those no silo holds. Orleans itself would leave a call whose gateway died waiting for its response timeout
/// (see <see cref="CallTracking"/>). Checks run one after another, in the order gateways were lost.
/// Cost at scale (docs/scale.md): a loss seen by many clients at once must not become one burst of probes, so each
/// check starts after a random delay within <see cref="ConfirmInterval"/>, and a call a live silo reports running is
/// settled at once (a call is recorded on the gateway that carries it, so that gateway is alive; if it is lost later,
/// that loss starts a check of its own). A check therefore asks about two rounds per loss, not one round every
/// <see cref="ConfirmInterval"/> for as long as the longest call runs.
/// </summary>
internal sealed class GatewayLossVerifier(Func<IRouterGrain> router, InFlightCalls calls)
{
    /// <summary>
    /// A call must be unreported by every live silo twice, this far apart, before it is failed: a request still on
    /// its way over a live connection is seen, or a reply on its way back delivered, in between.
    /// </summary>
    private static readonly TimeSpan ConfirmInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How many conclusive "not running" answers in a row fail a call.</summary>
    private const int StrikesToLose = 2;

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The check's first probe waits a random share of <see cref="ConfirmInterval"/>: clients that lose a gateway together spread out.</summary>
    internal static TimeSpan Jitter() => ConfirmInterval * Random.Shared.NextDouble();

    private readonly Lock _lock = new();
    private Task _verifier = Task.CompletedTask;

    /// <summary>A gateway connection closed: checks every call that was in flight then.</summary>
    public void OnGatewayLost()
    {
        var suspects = calls.Current.ToList();
        if (suspects.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            var previous = _verifier;
            _verifier = Task.Run(async () =>
            {
                await previous.ConfigureAwait(false);
                await Task.Delay(Jitter()).ConfigureAwait(false);
                await VerifyAsync(suspects).ConfigureAwait(false);
            });
        }
    }

    /// <summary>Waits for the checks started by lost gateways.</summary>
    public Task WhenVerifiedAsync()
    {
        lock (_lock)
        {
            return _verifier;
        }
    }

    private async Task VerifyAsync(List<TrackedCall> suspects)
    {
        var strikes = new Dictionary<Guid, int>();
        var settled = new HashSet<Guid>();
        while (true)
        {
            suspects.RemoveAll(c => !calls.Contains(c.Id) || settled.Contains(c.Id));
            if (suspects.Count == 0)
            {
                return;
            }

            CallStatesReport report;
            try
            {
                report = await ClusterCalls.Guard(() => router().GetCallStatesAsync([.. suspects.Select(c => c.Id)]).WaitAsync(ProbeTimeout)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // No silo answers now; the calls' own limits still apply. Ask again.
                await Task.Delay(ConfirmInterval).ConfigureAwait(false);
                continue;
            }

            for (var i = 0; i < suspects.Count; i++)
            {
                var call = suspects[i];
                var state = report.States[i];
                if (state == CallState.Running)
                {
                    // Held by a live silo: its reply comes back through a live gateway.
                    settled.Add(call.Id);
                    continue;
                }

                if (state == CallState.Unknown && !report.Conclusive)
                {
                    strikes.Remove(call.Id);
                    continue;
                }

                var count = strikes[call.Id] = strikes.GetValueOrDefault(call.Id) + 1;
                if (count >= StrikesToLose && calls.Contains(call.Id))
                {
                    // Not running anywhere, and still no reply after the confirm interval: its gateway is gone.
                    call.Lose("the gateway silo carrying the call was lost (no live silo holds it)");
                }
            }

            // Every call settled or lost: the check ends without another wait.
            if (suspects.TrueForAll(c => settled.Contains(c.Id) || !calls.Contains(c.Id)))
            {
                return;
            }

            await Task.Delay(ConfirmInterval).ConfigureAwait(false);
        }
    }
}
