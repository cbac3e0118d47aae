namespace DSPex.Orleans.Silo.Startup;

/// <summary>A setting the silo cannot start with, named with what to change.</summary>
public sealed class SiloConfigurationException(string message) : Exception(message);
