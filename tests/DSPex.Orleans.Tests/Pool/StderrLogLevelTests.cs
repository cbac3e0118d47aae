using DSPex.Orleans.Processes;
using DSPex.Orleans.Workers.Bridge;
using DSPex.Orleans.Workers.Python;
using DSPex.Orleans.Tests.Infrastructure;
using DSPex.Orleans.Workers.Processes;
using Microsoft.Extensions.Logging;

namespace DSPex.Orleans.Tests.Pool;

/// <summary>A worker's stderr lines are logged at the level the operator chose (DSPex:Pool:StderrLogLevel), with their event id.</summary>
[Trait("Category", "Process")]
public sealed class StderrLogLevelTests
{
    [Theory]
    [InlineData(LogLevel.Debug)]
    [InlineData(LogLevel.Warning)]
    public async Task Stderr_lines_are_logged_at_the_configured_level(LogLevel level)
    {
        var marker = new ProcessMarker("stderr-level", "silo", $"stderr-level-{Guid.NewGuid():N}", "token");
        var info = new PythonProcessStartInfo(
            marker.WorkerId, PythonInterpreter.Resolve("python3"), Path.Combine(AppContext.BaseDirectory, "Python"), marker,
            ["dspex_test_adapter"], [TestClusters.TestAdapterPath], new Dictionary<string, string>(), [],
            1024 * 1024, 1, TimeSpan.FromSeconds(30))
        {
            StderrLogLevel = level,
        };
        var text = $"line-{Guid.NewGuid():N}";
        var logger = new LineCatcher(text);
        await using var bridge = await PythonProcess.StartAsync(info, logger);

        var reply = await bridge.Connection.Send(new BridgeCall("print_and_return", $$"""{"text":"{{text}}"}""")).Finished;
        var (loggedAt, eventId) = await logger.Caught.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Null(reply.Error);
        Assert.Equal(level, loggedAt);
        Assert.Equal(1000, eventId.Id);
    }

    /// <summary>Completes when a log message contains the expected text.</summary>
    private sealed class LineCatcher(string text) : ILogger
    {
        private readonly TaskCompletionSource<(LogLevel, EventId)> _caught = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<(LogLevel Level, EventId EventId)> Caught => _caught.Task;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains(text, StringComparison.Ordinal))
            {
                _caught.TrySetResult((logLevel, eventId));
            }
        }
    }
}
