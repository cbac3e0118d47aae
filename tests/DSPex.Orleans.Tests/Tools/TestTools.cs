using System.Text.Json.Serialization;
using DSPex.Orleans.Client;
using DSPex.Orleans.Hosting;
using DSPex.Orleans.Tools;

namespace DSPex.Orleans.Tests.Tools;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LookupArgs(int Id);

public sealed record Person(int Id, string Name);

public sealed record AddArgs(int A, int B);

public sealed record SlowArgs(string Label);

public sealed record NestedArgs(string Text);

/// <summary>Bytes from Python: a binary part, never base64.</summary>
public sealed record DigestArgs(ReadOnlyMemory<byte> Data);

/// <summary>Bytes back to Python as binary parts.</summary>
public sealed record DigestResult(int Length, byte[] Sha256, ReadOnlyMemory<byte> Reversed);

public sealed record BytesArgs(byte[] Data);

public sealed record SizedBlobArgs(ReadOnlyMemory<byte> Data, int Size);

/// <summary>
/// The client tools of the tool tests. A slow tool reports that it started and that its token fired, so tests await
/// those events instead of sleeping.
/// </summary>
public sealed class TestTools
{
    public TaskCompletionSource SlowStarted { get; private set; } = NewSignal();

    public TaskCompletionSource SlowCancelled { get; private set; } = NewSignal();

    public DSPexClient? Client { get; set; }

    public void Reset()
    {
        SlowStarted = NewSignal();
        SlowCancelled = NewSignal();
    }

    public DSPexToolSet Build() => new DSPexToolSet()
        .Add<LookupArgs, Person>("lookup", "Finds a person by id", (args, _) => Task.FromResult(new Person(args.Id, $"person-{args.Id}")))
        .Add<LookupArgs, Person>("fail", "Always throws", (_, _) => throw new InvalidOperationException("the lookup service is down"))
        .Add<SlowArgs, string>("slow", "Waits until cancelled", async (args, cancellationToken) =>
        {
            using var registration = cancellationToken.Register(() => SlowCancelled.TrySetResult());
            SlowStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return args.Label;
        })
        .Add<DigestArgs, DigestResult>("digest", "Hashes and reverses bytes", (args, _) =>
            Task.FromResult(new DigestResult(args.Data.Length, System.Security.Cryptography.SHA256.HashData(args.Data.Span), args.Data.ToArray().Reverse().ToArray())))
        .Add<SizedBlobArgs, ReadOnlyMemory<byte>>("blob", "Answers Size zero bytes", (args, _) => Task.FromResult<ReadOnlyMemory<byte>>(new byte[args.Size]))
        .Add<NestedArgs, string>("nested", "Calls the cluster again", async (args, cancellationToken) =>
            await Client!.ExecuteRawAsync("echo", $$"""{"text":"{{args.Text}}"}""", cancellationToken: cancellationToken));

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
