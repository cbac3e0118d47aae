namespace DSPex.Orleans.Contracts;

/// <summary>
/// The session a call runs in: its id and its variables (a JSON object, name -> value) that the Python command
/// may read and set. Changes come back in <see cref="ExecuteResponse.SessionUpdatesJson"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("DSPex.Orleans.Contracts.SessionCallContext")]
public sealed record SessionCallContext(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string VariablesJson);
