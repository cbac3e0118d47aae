namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Tool calls from Python: a tool_call (or list_tools) frame names a request in flight on this worker; the
/// request's <see cref="IBridgeTools"/> runs it off the reader thread and the answer goes back as a tool_result frame. A frame
/// naming a request that is not in flight, or reusing a tool-call id in flight, breaks the protocol (the worker is replaced).
/// </summary>
internal sealed partial class BridgeConnection
{
    /// <summary>Starts tool call <paramref name="toolId"/> of request <paramref name="id"/>: <paramref name="call"/>, or a list_tools when null.</summary>
    private void StartToolCall(long id, long toolId, ToolCallFrame? call)
    {
        PendingCall? pending;
        bool tooMany = false, requestEnded = false;
        lock (_pending)
        {
            if (!_pending.TryGetValue(id, out pending))
            {
                if (id <= 0 || id > Interlocked.Read(ref _nextId))
                {
                    throw new FrameFormatException($"a tool call names request {id}, which is not in flight on this worker");
                }

                requestEnded = true;
            }
            else if (_toolCalls.Contains(toolId))
            {
                throw new FrameFormatException($"tool call id {toolId} is already in flight");
            }
            else if (call?.ArgsProblem is not null)
            {
                // Within the protocol but over a content limit: the caller's error, for this tool call only.
            }
            else if (pending.Tools is { } tools && _toolCalls.Count >= tools.MaxToolCalls)
            {
                tooMany = true;
            }
            else
            {
                _toolCalls.Add(toolId);
            }
        }

        if (requestEnded)
        {
            // A request this silo sent and Python has answered: a task of its command that outlived it raced the
            // answer (the bridge refuses such calls once it marks the request ended). Exactly the protocol, so that
            // one tool call gets a typed error and the worker with its other requests is untouched.
            WriteToolAnswer(id, toolId, ToolAnswer.Fail(ToolFaultKinds.Cancelled, "RequestEnded",
                $"request {id} has already been answered: a tool call cannot outlive its request"), track: false);
            return;
        }

        var (name, args, parts, isList) = (call?.ToolName, call?.ArgsJson, call?.Parts, call is null);
        if (call?.ArgsProblem is { } problem)
        {
            WriteToolAnswer(id, toolId, ToolAnswer.Fail(ToolFaultKinds.InvalidArguments, "InvalidArguments", problem), track: false);
            return;
        }

        if (tooMany)
        {
            WriteToolAnswer(id, toolId, ToolAnswer.Fail(ToolFaultKinds.TooManyToolCalls, "TooManyToolCalls",
                $"this worker already has {pending!.Tools!.MaxToolCalls} tool calls in flight"), track: false);
            return;
        }

        var session = pending!.Tools;
        if (session is null)
        {
            WriteToolAnswer(id, toolId, isList ? ToolAnswer.Success("[]")
                : ToolAnswer.Fail(ToolFaultKinds.UnknownTool, "UnknownTool", $"no tool '{ShownText.Of(name)}': this request may call no tools"));
            return;
        }

        // Off the reader thread: a tool may take as long as its request's deadline, and a silo tool may block.
        _ = Task.Run(async () =>
        {
            ToolAnswer outcome;
            try
            {
                outcome = isList ? ToolAnswer.Success(session.ListJson()) : await session.CallAsync(name!, args!, parts).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                outcome = ToolAnswer.Fail(ToolFaultKinds.ToolFailed, e.GetType().Name, e.Message);
            }

            WriteToolAnswer(id, toolId, outcome);
        });
    }

    /// <summary>Writes a tool_result frame; a result that cannot be carried becomes an error Python sees. Never throws.</summary>
    private void WriteToolAnswer(long id, long toolId, ToolAnswer outcome, bool track = true)
    {
        if (track)
        {
            lock (_pending)
            {
                _toolCalls.Remove(toolId);
            }
        }

        // Handed to the outbox, never written here: this may be the reader thread (an answer it gives itself), which
        // must go on reading whatever the pipe to the worker holds.
        lock (_writeLock)
        {
            if (_closedReason is not null)
            {
                return;
            }

            if (_outbox.Submit(Encode(id, toolId, outcome).Span) == OutboxResult.Broken)
            {
                _writeBroken = true; // the process is gone; its exit fails the request
            }

            _writer.ReleaseLargeBuffer();
        }
    }

    private ReadOnlyMemory<byte> Encode(long id, long toolId, ToolAnswer outcome)
    {
        if (outcome.Error is { } error)
        {
            return _writer.ToolError(id, toolId, error.Kind, error.Type, error.Message);
        }

        try
        {
            return _writer.ToolResult(id, toolId, outcome.ResultJson ?? "null", outcome.ResultParts);
        }
        catch (InvalidCallInputException e)
        {
            return _writer.ToolError(id, toolId, ToolFaultKinds.ResultNotSerializable, "InvalidResult", e.Message);
        }
        catch (FrameOverLimitException e)
        {
            _writer.ReleaseLargeBuffer();
            return _writer.ToolError(id, toolId, ToolFaultKinds.FrameTooLarge, "FrameTooLarge", $"the tool's result does not fit a frame: {e.Message}");
        }
    }
}
