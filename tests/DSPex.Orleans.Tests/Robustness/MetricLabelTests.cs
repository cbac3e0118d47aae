using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DSPex.Orleans.Client.Errors;
using DSPex.Orleans.Telemetry;

namespace DSPex.Orleans.Tests.Robustness;

/// <summary>Caller text never becomes a metric label (security review M3): labels come from a bounded set.</summary>
[Trait("Category", "Cluster")]
[Collection(RobustnessCollection.Name)]
public sealed class MetricLabelTests(RobustnessClusterFixture fixture)
{
    [Fact]
    public async Task Three_hundred_unknown_command_names_leave_the_command_labels_bounded()
    {
        var labels = new ConcurrentDictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == InstrumentNames.MeterName && instrument.Name is "dspex.requests" or "dspex.request.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Collect(tags, labels));
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => Collect(tags, labels));
        listener.Start();

        var registered = await fixture.Client.ExecuteAsync<string[]>("list_commands");
        var unknown = Enumerable.Range(0, 300).Select(i => $"no_such_command_{i:D3}_{new string('x', 200)}").ToList();
        foreach (var name in unknown)
        {
            await Assert.ThrowsAsync<UnknownCommandException>(() => fixture.Client.ExecuteRawAsync(name));
        }

        await fixture.Client.ExecuteRawAsync("ping");

        Assert.True(labels.ContainsKey("ping"), "registered commands keep their own label");
        Assert.True(labels.ContainsKey(CommandLabels.Other), "unknown commands fold into one label");
        Assert.True(labels[CommandLabels.Other] >= unknown.Count * 2, "each unknown call is counted under that label (count and duration)");
        Assert.DoesNotContain(labels.Keys, label => label.StartsWith("no_such_command_", StringComparison.Ordinal));
        Assert.All(labels.Keys, label => Assert.True(
            registered.Contains(label) || label is CommandLabels.Other or CommandLabels.OtherProgram || label.StartsWith("program:", StringComparison.Ordinal),
            $"label '{label}' is not from the bounded set"));
    }

    private static void Collect(ReadOnlySpan<KeyValuePair<string, object?>> tags, ConcurrentDictionary<string, int> labels)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "command" && tag.Value is string label)
            {
                labels.AddOrUpdate(label, 1, (_, n) => n + 1);
            }
        }
    }
}
