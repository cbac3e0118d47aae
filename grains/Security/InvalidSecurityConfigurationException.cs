namespace DSPex.Orleans.Security;

/// <summary>A security setting the silo cannot run with, named with what to change.</summary>
public sealed class InvalidSecurityConfigurationException(string message) : Exception(message);
