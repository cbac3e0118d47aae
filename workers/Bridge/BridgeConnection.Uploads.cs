namespace DSPex.Orleans.Workers.Bridge;

/// <summary>Upload calls: chunks written against the chunk credit the bridge grants as its command reads them.</summary>
internal sealed partial class BridgeConnection
{
    private readonly Dictionary<long, UploadWindow> _uploads = []; // guarded by _pending

    /// <summary>Opens the chunk window of upload call <paramref name="id"/> (sent with <see cref="BridgeCall.UploadWindow"/>).</summary>
    public UploadWindow OpenUpload(long id, int window)
    {
        var upload = new UploadWindow(window);
        bool open;
        lock (_pending)
        {
            open = _pending.ContainsKey(id);
            if (open)
            {
                _uploads[id] = upload;
            }
        }

        if (!open)
        {
            upload.End(); // the call has its reply already (or the connection closed): nothing to send
        }

        return upload;
    }

    /// <summary>Forgets upload call <paramref name="id"/>'s window (its pump is done).</summary>
    public void CloseUpload(long id)
    {
        lock (_pending)
        {
            _uploads.Remove(id);
        }
    }

    /// <summary>
    /// Writes one chunk of upload call <paramref name="id"/>; the caller holds a unit of its credit. False when the
    /// worker's pipe is broken (the call's reply says so). <see cref="FrameOverLimitException"/> for a chunk past the frame limit.
    /// </summary>
    public bool SendChunk(long id, ReadOnlyMemory<byte> data)
    {
        lock (_writeLock)
        {
            if (_closedReason is not null)
            {
                return false;
            }

            try
            {
                var frame = _writer.Chunk(id, data);
                if (_outbox.Submit(frame.Span, FramePriority.InOrder) == OutboxResult.Broken)
                {
                    _writeBroken = true;
                    return false;
                }
            }
            finally
            {
                _writer.ReleaseLargeBuffer();
            }
        }

        return true;
    }

    /// <summary>Upload call <paramref name="id"/> sends no more chunks: whole (<paramref name="error"/> null) or failed for that reason.</summary>
    public void EndChunks(long id, string? error)
    {
        lock (_writeLock)
        {
            if (_closedReason is not null)
            {
                return;
            }

            if (_outbox.Submit(_writer.ChunksEnd(id, error).Span, FramePriority.InOrder) == OutboxResult.Broken)
            {
                _writeBroken = true;
            }
        }
    }

    private void GrantChunks(ChunkCreditFrame credit)
    {
        UploadWindow? upload;
        lock (_pending)
        {
            _uploads.TryGetValue(credit.Id, out upload);
        }

        // Credit for an upload already done is late, not wrong; credit past what was sent breaks the protocol.
        if (upload is not null && !upload.Grant(credit.Granted))
        {
            throw new FrameFormatException($"chunk_credit grants {credit.Granted} chunk(s) of upload call {credit.Id}, more than were sent");
        }
    }

    /// <summary>Ends the window of call <paramref name="id"/> (it has its reply); called with _pending held.</summary>
    private void EndUploadLocked(long id)
    {
        if (_uploads.Remove(id, out var upload))
        {
            upload.End();
        }
    }

    /// <summary>Ends every window (the connection closed); called with _pending held.</summary>
    private void EndUploadsLocked()
    {
        foreach (var upload in _uploads.Values)
        {
            upload.End();
        }

        _uploads.Clear();
    }
}
