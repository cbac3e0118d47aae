namespace DSPex.Orleans.Workers.Scheduling;

/// <summary>A slot as it was at one moment, read under the scheduler's lock.</summary>
internal readonly record struct SlotView<TWorker>(string WorkerId, TWorker? Worker, string State, int InFlight, long Served, int Incarnation)
    where TWorker : class;
