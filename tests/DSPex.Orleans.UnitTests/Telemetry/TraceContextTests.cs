using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using DSPex.Orleans.Telemetry;
using DSPex.Orleans.Workers.Bridge;

namespace DSPex.Orleans.UnitTests.Telemetry;

/// <summary>
/// The trace context a call carries to Python: taken from the current activity or Orleans' request context, only
/// version-00 W3C trace context within its bounds, written as the call frame's "trace" object.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TraceContextTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Valid_w3c_trace_context_is_kept()
    {
        Assert.Equal(new TraceContext(TraceParent, "k=v,a=b"), TraceContext.From(TraceParent, "k=v,a=b"));
        Assert.Equal(new TraceContext(TraceParent, null), TraceContext.From(TraceParent, null));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")] // another version
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01")] // upper case
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")] // all-zero trace id
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")] // all-zero parent id
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra")]
    [InlineData("00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01")]
    [InlineData("|0af7651916cd43dd.1.")] // a hierarchical id
    public void Anything_but_version_00_traceparent_is_dropped(string? traceParent) =>
        Assert.Null(TraceContext.From(traceParent, "k=v"));

    [Theory]
    [InlineData("")]
    [InlineData("k=\u00e9")]
    [InlineData("k=v\n")]
    public void A_tracestate_that_is_not_bounded_printable_ascii_is_dropped_and_the_traceparent_kept(string traceState) =>
        Assert.Equal(new TraceContext(TraceParent, null), TraceContext.From(TraceParent, traceState));

    [Fact]
    public void A_tracestate_past_512_characters_is_dropped()
    {
        Assert.Null(TraceContext.From(TraceParent, new string('k', TraceContext.MaxTraceStateChars + 1))!.Value.TraceState);
        Assert.NotNull(TraceContext.From(TraceParent, new string('k', TraceContext.MaxTraceStateChars))!.Value.TraceState);
    }

    [Fact]
    public void The_current_w3c_activity_is_the_trace_context()
    {
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "vendor=1";
        var current = TraceContext.Current();
        Assert.Equal(activity.Id, current!.Value.TraceParent);
        Assert.Equal("vendor=1", current.Value.TraceState);
        Assert.Contains(activity.TraceId.ToHexString(), current.Value.TraceParent, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_activity_the_propagated_request_context_is_the_trace_context()
    {
        Assert.Null(Activity.Current);
        RequestContext.Set("traceparent", TraceParent);
        RequestContext.Set("tracestate", "k=v");
        try
        {
            Assert.Equal(new TraceContext(TraceParent, "k=v"), TraceContext.Current());
        }
        finally
        {
            RequestContext.Clear();
        }

        Assert.Null(TraceContext.Current());
    }

    [Fact]
    public void The_call_frame_carries_the_trace_context_as_its_trace_object()
    {
        var writer = new BridgeFrameWriter(64 * 1024);
        var withTrace = Envelope(writer.Call(3, "echo", "{}", trace: new CallTrace(TraceParent, "k=v")));
        var trace = withTrace.GetProperty("trace");
        Assert.Equal(TraceParent, trace.GetProperty("traceparent").GetString());
        Assert.Equal("k=v", trace.GetProperty("tracestate").GetString());

        var withoutState = Envelope(writer.Call(4, "echo", "{}", trace: new CallTrace(TraceParent, null)));
        Assert.False(withoutState.GetProperty("trace").TryGetProperty("tracestate", out _));
        Assert.False(Envelope(writer.Call(5, "echo", "{}")).TryGetProperty("trace", out _));
    }

    private static JsonElement Envelope(ReadOnlyMemory<byte> frame)
    {
        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame.Span));
        using var document = JsonDocument.Parse(frame[4..]);
        return document.RootElement.Clone();
    }
}
