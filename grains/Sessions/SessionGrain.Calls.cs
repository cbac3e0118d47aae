using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.Sessions;

/// <summary>
/// Session calls run at most once. A call with a call id is recorded as begun (and written) before its request is
/// dispatched, and its answer recorded (and written) before it is returned. A repeat of the id, which the client sends
/// when a silo was lost on the way, is answered from the record: with the first run's answer, or, when the silo holding
/// the session was lost while the call ran, with SiloUnavailable "may have run" rather than a second run. A repeat that
/// arrives while the first still runs waits for it (the grain is not reentrant) and gets its answer.
/// Idempotent calls and calls without an id are not recorded: running them again is allowed.
/// </summary>
internal sealed partial class SessionGrain
{
    private async Task<ExecuteResponse> AtMostOnceAsync(Guid callId, bool idempotent, Func<Task<ExecuteResponse>> run)
    {
        if (callId == Guid.Empty || idempotent)
        {
            return await run();
        }

        if (Session.FindCall(callId) is { } recorded)
        {
            logger.CallRepeated(SessionId, callId, recorded.Done);
            return recorded.Answer(SessionId);
        }

        // Written before anything runs: a failure to write refuses the call (StorageUnavailable), and nothing ran.
        Session.BeginCall(callId, clock.UtcNow);
        try
        {
            await WriteAsync();
        }
        catch
        {
            // Refused before it ran: no record, so a repeat once the store is back runs it.
            Session.ForgetCall(callId);
            throw;
        }

        var response = await run();
        // Written by the caller's save (ChangeAsync) before the answer is returned.
        Session.CompleteCall(callId, response, clock.UtcNow);
        return response;
    }
}
