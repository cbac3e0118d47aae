namespace DSPex.Orleans.Workers.Bridge;

/// <summary>The program a call runs, as the bridge protocol carries it: its id, revision and spec (a JSON object).</summary>
internal sealed record CallProgram(string ProgramId, int Revision, string SpecJson);
