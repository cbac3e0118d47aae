namespace DSPex.Orleans.Client.Hosting.Tls;

/// <summary>TLS files that are missing, unreadable or inconsistent, named by the setting that points at them.</summary>
public sealed class TlsConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
