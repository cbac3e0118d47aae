using DSPex.Orleans.Tools;

namespace DSPex.Orleans.Client.Tools;

/// <summary>
/// This client's tools as its requests name them: the observer reference (created once, on first use, and kept
/// alive with the host object) and the tools' descriptions. Null for a client without tools.
/// </summary>
internal sealed class ClientToolReference(IGrainFactory grainFactory, DSPexToolSet? tools)
{
    private readonly object _lock = new();
    private ClientToolHost? _host;
    private ClientTools? _reference;

    public ClientTools? Get()
    {
        if (tools is null || tools.Count == 0)
        {
            return null;
        }

        lock (_lock)
        {
            if (_reference is null)
            {
                _host = new ClientToolHost(tools);
                _reference = new ClientTools(grainFactory.CreateObjectReference<IDSPexToolHost>(_host), tools.Describe());
            }

            return _reference;
        }
    }
}
