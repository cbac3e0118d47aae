namespace DSPex.Orleans.Sessions;

/// <summary>
/// A session's lifetime: cleared when found expired on activation, counted while active, and, with a store that does
/// not expire keys itself, a reminder left at deactivation to clear it if nobody touches it again.
/// </summary>
internal sealed partial class SessionGrain
{
    private const string ExpiryReminder = "session-expiry";

    // Orleans does not run reminders more often than once a minute.
    private static readonly TimeSpan MinReminderPeriod = TimeSpan.FromMinutes(1);

    // The reminder is left while the grain deactivates; a tick due at once could reach the activation on its way out.
    private static readonly TimeSpan MinReminderDue = TimeSpan.FromSeconds(1);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        activations.Activated();
        _storedAccessAt = Session.LastAccessAt;
        if (Session.IsExpired(clock.UtcNow))
        {
            await ExpireAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        activations.Deactivated();
        await WriteUnsavedAccessAsync();
        if (!keyExpiry.StoreRemovesExpiredSessions && Session.Exists && reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            await LeaveExpiryReminderAsync();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder)
        {
            return;
        }

        // Activation already cleared an expired session; a live one keeps its reminder until it has expired, and
        // its activation is left to the collector (it may be serving calls).
        if (Session.Exists)
        {
            return;
        }

        if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        this.DeactivateOnIdle();
    }

    private async Task ExpireAsync()
    {
        if (state.RecordExists)
        {
            try
            {
                await state.ClearStateAsync();
            }
            catch (global::Orleans.Storage.InconsistentStateException)
            {
                // The store no longer holds the version this activation wrote: most often Redis already expired the
                // key. Whatever it holds now is cleared too.
                await state.ReadStateAsync();
                if (state.RecordExists)
                {
                    await state.ClearStateAsync();
                }
            }
        }

        state.State = new SessionState();
    }

    private async Task LeaveExpiryReminderAsync()
    {
        var left = Session.LastAccessAt + Session.Ttl - clock.UtcNow;
        try
        {
            await this.RegisterOrUpdateReminder(ExpiryReminder,
                left > MinReminderDue ? left : MinReminderDue,
                Session.Ttl > MinReminderPeriod ? Session.Ttl : MinReminderPeriod);
        }
        catch (Exception e)
        {
            // Without it, an untouched session stays in memory storage until its id is used again (and then expires).
            logger.ExpiryReminderNotLeft(e, SessionId);
        }
    }
}
