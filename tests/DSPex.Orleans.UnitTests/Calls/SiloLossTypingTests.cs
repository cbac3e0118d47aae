using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Calls;
using DSPex.Orleans.Contracts;
using DSPex.Orleans.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using OrleansSiloUnavailable = Orleans.Runtime.SiloUnavailableException;

namespace DSPex.Orleans.UnitTests.Calls;

/// <summary>
/// A call lost with a silo is typed SiloUnavailable with whether it may have run, by the runtime's exception type, on
/// both sides: the client library (ClusterCalls) and a grain calling another (GrainBoundary, where a gateway's router
/// reaches for a session on a dead silo: InternalError before). The cause is kept.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SiloLossTypingTests
{
    public static TheoryData<Exception, CallOutcome> Losses => new()
    {
        { Rejection("Forwarding failed: tried to forward message for 0 times"), CallOutcome.NotRun },
        { new ConnectionFailedException("connection refused"), CallOutcome.NotRun },
        { new OrleansSiloUnavailable("silo S is unavailable"), CallOutcome.OutcomeUnknown },
        { new TimeoutException("response did not arrive on time"), CallOutcome.OutcomeUnknown },
        { new OrleansException("activation failed", Rejection("rejected")), CallOutcome.NotRun },
    };

    // The runtime raises it; its constructors are not public.
    private static OrleansMessageRejectionException Rejection(string message) =>
        (OrleansMessageRejectionException)Activator.CreateInstance(typeof(OrleansMessageRejectionException),
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance, null, [message], null)!;

    [Theory]
    [MemberData(nameof(Losses))]
    public void The_runtime_s_exception_type_gives_the_outcome(Exception failure, CallOutcome outcome) =>
        Assert.Equal(outcome, SiloLoss.Classify(failure));

    [Fact]
    public void Other_failures_are_not_silo_losses_whatever_their_message_says() =>
        Assert.Null(SiloLoss.Classify(new InvalidOperationException("SiloUnavailableException: the silo is unavailable")));

    [Theory]
    [MemberData(nameof(Losses))]
    public void The_client_types_a_silo_loss_with_its_outcome_and_keeps_the_cause(Exception failure, CallOutcome outcome)
    {
        var typed = Assert.IsType<Client.Errors.SiloLostException>(ClusterCalls.Typed(failure));
        Assert.Equal(outcome, typed.Outcome);
        Assert.Same(failure, typed.InnerException);
    }

    [Fact]
    public void The_client_keeps_the_cause_of_an_internal_error()
    {
        var failure = new InvalidOperationException("boom");
        var typed = Assert.IsType<Client.Errors.InternalErrorException>(ClusterCalls.Typed(failure));
        Assert.Same(failure, typed.InnerException);
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public async Task A_grain_answers_a_silo_loss_below_it_as_silo_unavailable_not_internal(Exception failure, CallOutcome outcome)
    {
        var response = await GrainBoundary.Guard(() => throw failure, NullLogger.Instance, "session execute", CancellationToken.None);

        Assert.Equal(DSPexErrorKind.SiloUnavailable, response.Error?.Kind);
        Assert.Equal(outcome, response.Error!.Outcome);
        Assert.False(response.Error.Recorded);
    }

    [Fact]
    public async Task A_redis_failure_below_a_grain_is_storage_unavailable_naming_redis()
    {
        var failure = new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.UnableToConnect, "No connection is active/available");
        var response = await GrainBoundary.Guard(() => throw failure, NullLogger.Instance, "session execute", CancellationToken.None);

        Assert.Equal(DSPexErrorKind.StorageUnavailable, response.Error?.Kind);
        Assert.Contains("Redis", response.Error!.Message);
    }

    [Fact]
    public void The_client_types_a_redis_failure_as_storage_unavailable()
    {
        var failure = new StackExchange.Redis.RedisTimeoutException("Timeout awaiting response", StackExchange.Redis.CommandStatus.Sent);
        var typed = Assert.IsType<Client.Errors.StorageUnavailableException>(ClusterCalls.Typed(failure));
        Assert.Contains("Redis", typed.Message);
        Assert.Same(failure, typed.InnerException);
    }

    [Fact]
    public void A_silo_unavailable_error_from_a_silo_becomes_the_exception_with_its_outcome()
    {
        var error = ExecuteError.SiloLost("lost", CallOutcome.NotRun);
        var typed = Assert.IsType<Client.Errors.SiloLostException>(Client.Errors.DSPexException.From(error, null));
        Assert.Equal(CallOutcome.NotRun, typed.Outcome);
        Assert.IsType<Client.Errors.StorageUnavailableException>(Client.Errors.DSPexException.From(new ExecuteError(DSPexErrorKind.StorageUnavailable, "Redis"), null));
    }
}
