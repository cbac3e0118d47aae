namespace DSPex.Orleans.Pool;

/// <summary>A named pool the silo was asked to run (from "DSPex:Pools:NAME" or AddDSPexPool); its options are the named options of that name.</summary>
internal sealed record NamedPoolRegistration(string Name);
