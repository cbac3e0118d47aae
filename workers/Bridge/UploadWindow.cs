namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// The chunk credit of one upload call (protocol.json "chunk", "chunk_credit"): <see cref="Window"/> chunks may be
/// written before the bridge grants more, one back for each chunk its command took, so at most the window is ever in
/// flight. <see cref="Ended"/> fires when the call has its reply or the worker's connection closed: no chunk is
/// wanted any more.
/// </summary>
internal sealed class UploadWindow : IDisposable
{
    private readonly SemaphoreSlim _credit;
    private readonly CancellationTokenSource _ended = new();

    public UploadWindow(int window)
    {
        Window = window;
        _credit = new SemaphoreSlim(window, window);
    }

    public int Window { get; }

    public CancellationToken Ended => _ended.Token;

    /// <summary>Waits for a unit of credit (one chunk may be written).</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _credit.WaitAsync(cancellationToken);

    /// <summary>Credit back from the bridge; false when it grants what was never sent (a bridge that breaks the protocol).</summary>
    public bool Grant(int n)
    {
        if (n < 1)
        {
            return false;
        }

        try
        {
            _credit.Release(n);
            return true;
        }
        catch (SemaphoreFullException)
        {
            return false;
        }
    }

    /// <summary>No chunk is wanted any more. Called on the reader thread: the waiting pump resumes on the thread pool.</summary>
    public void End()
    {
        try
        {
            _ = _ended.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The pump finished and disposed it first.
        }
    }

    public void Dispose()
    {
        _ended.Dispose();
        _credit.Dispose();
    }
}
