using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Contracts;

namespace DSPex.Orleans.UnitTests.Calls;

/// <summary>
/// The client sends a call again after a silo loss only when that cannot run it twice: not run, idempotent, or a
/// session call (answered from the session's record). Attempts stay within the call's own deadline, each with the
/// time left of it. The attempts here are scripted answers: what is tested is the client's decision.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SiloLossRetryTests
{
    private static readonly ExecuteResponse Ok = ExecuteResponse.Success("42", "w", 1);
    private static readonly TimeSpan NoDeadline = TimeSpan.FromMinutes(5);

    private static ExecuteResponse Lost(CallOutcome outcome) => ExecuteResponse.Failure(ExecuteError.SiloLost("lost", outcome));

    private static Func<TimeSpan?, ValueTask<ExecuteResponse>> Script(List<TimeSpan?> timeouts, params Func<ExecuteResponse>[] answers)
    {
        var next = 0;
        return timeout =>
        {
            timeouts.Add(timeout);
            return ValueTask.FromResult(answers[Math.Min(next++, answers.Length - 1)]());
        };
    }

    [Fact]
    public async Task A_call_that_did_not_run_is_sent_again_until_it_answers()
    {
        var attempts = new List<TimeSpan?>();
        var response = await SiloLossRetry.RunAsync(
            Script(attempts, () => Lost(CallOutcome.NotRun), () => throw new Client.Errors.SiloLostException("refused", CallOutcome.NotRun), () => Ok),
            new RetryTerms { Timeout = TimeSpan.FromSeconds(30) }, repeatsAnswered: false, NoDeadline, CancellationToken.None);

        Assert.Equal("42", response.ResultJson);
        Assert.Equal(3, attempts.Count);
        // Each attempt carries what is left of the caller's 30 s, never more.
        Assert.All(attempts, t => Assert.True(t <= TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_call_that_may_have_run_is_not_sent_again_unless_idempotent_or_a_session_call()
    {
        var attempts = new List<TimeSpan?>();
        var response = await SiloLossRetry.RunAsync(Script(attempts, () => Lost(CallOutcome.OutcomeUnknown), () => Ok),
            null, repeatsAnswered: false, NoDeadline, CancellationToken.None);
        Assert.Equal(CallOutcome.OutcomeUnknown, response.Error?.Outcome);
        Assert.Single(attempts);

        attempts.Clear();
        response = await SiloLossRetry.RunAsync(Script(attempts, () => Lost(CallOutcome.OutcomeUnknown), () => Ok),
            new RetryTerms { Idempotent = true }, repeatsAnswered: false, NoDeadline, CancellationToken.None);
        Assert.Equal("42", response.ResultJson);

        attempts.Clear();
        response = await SiloLossRetry.RunAsync(Script(attempts, () => Lost(CallOutcome.OutcomeUnknown), () => Ok),
            null, repeatsAnswered: true, NoDeadline, CancellationToken.None);
        Assert.Equal("42", response.ResultJson);
    }

    [Fact]
    public async Task A_session_s_recorded_answer_is_final()
    {
        var attempts = new List<TimeSpan?>();
        var recorded = ExecuteResponse.Failure(ExecuteError.SiloLost("was running when its silo was lost", CallOutcome.OutcomeUnknown) with { Recorded = true });
        var response = await SiloLossRetry.RunAsync(Script(attempts, () => recorded, () => Ok), null, repeatsAnswered: true, NoDeadline, CancellationToken.None);

        Assert.Same(recorded, response);
        Assert.Single(attempts);
    }

    [Fact]
    public async Task Attempts_end_with_the_call_s_deadline_and_the_last_loss_reaches_the_caller()
    {
        var attempts = new List<TimeSpan?>();
        var error = await Assert.ThrowsAsync<Client.Errors.SiloLostException>(() => SiloLossRetry.RunAsync(
            Script(attempts, () => throw new Client.Errors.SiloLostException("refused", CallOutcome.NotRun)),
            new RetryTerms { Timeout = TimeSpan.FromMilliseconds(700) }, repeatsAnswered: true, NoDeadline, CancellationToken.None));

        Assert.Equal(CallOutcome.NotRun, error.Outcome);
        Assert.InRange(attempts.Count, 2, 10);
    }

    [Fact]
    public async Task A_cancelled_call_is_not_sent_again()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var attempts = new List<TimeSpan?>();
        await Assert.ThrowsAsync<Client.Errors.SiloLostException>(() => SiloLossRetry.RunAsync(
            Script(attempts, () => throw new Client.Errors.SiloLostException("refused", CallOutcome.NotRun)),
            null, repeatsAnswered: true, NoDeadline, cancelled.Token));
        Assert.Single(attempts);
    }
}
