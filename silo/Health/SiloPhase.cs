namespace DSPex.Orleans.Silo.Health;

/// <summary>Where the silo process is in its life, as the HTTP endpoints report it.</summary>
public enum SiloPhase
{
    /// <summary>The HTTP endpoint answers; the silo is joining its cluster and warming its pools.</summary>
    Starting,

    /// <summary>The silo started: readiness is what the health loop last found.</summary>
    Serving,

    /// <summary>Stopping (SIGTERM, or given up after losing membership): requests in flight finish, new ones go elsewhere.</summary>
    Draining,
}
