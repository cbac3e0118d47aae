using DSPex.Orleans.Tools;

namespace DSPex.Orleans.Examples.ToolsAgent;

public sealed record WeatherArgs(string City);

public sealed record Weather(string City, string Forecast, int TemperatureC);

public sealed record SearchArgs(string Query);

public sealed record SearchHit(string Query, string Snippet);

/// <summary>The two .NET tools of the agent example: a quick weather look-up and a slow, cancellable search.</summary>
public static class AgentTools
{
    private static readonly string[] Forecasts = ["sunny", "cloudy", "rainy", "windy"];

    /// <param name="searchDelay">How long the search takes; the request's deadline or cancellation stops it sooner.</param>
    /// <param name="searchStarted">Called when a search starts (the example prints it; tests await it).</param>
    /// <param name="searchCancelled">Called when a search's token fires (the request's deadline or cancellation; the example prints it).</param>
    public static DSPexToolSet AddTo(DSPexToolSet tools, TimeSpan searchDelay, Action? searchStarted = null, Action? searchCancelled = null) => tools
        .Add<WeatherArgs, Weather>("weather", "Today's weather in a city", (args, _) =>
        {
            var seed = args.City.Aggregate(0, (sum, c) => sum + char.ToLowerInvariant(c));
            return Task.FromResult(new Weather(args.City, Forecasts[seed % Forecasts.Length], 5 + (seed % 20)));
        })
        .Add<SearchArgs, SearchHit>("search", "Searches the knowledge base (slow)", async (args, cancellationToken) =>
        {
            searchStarted?.Invoke();
            try
            {
                await Task.Delay(searchDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                searchCancelled?.Invoke();
                throw;
            }

            return new SearchHit(args.Query, $"'{args.Query}' is a virtual-actor framework for building distributed .NET applications.");
        });
}
