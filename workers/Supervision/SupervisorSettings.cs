using DSPex.Orleans.Workers.Scheduling;

namespace DSPex.Orleans.Workers.Supervision;

/// <summary>The limits a supervisor keeps its worker to (from the pool's options, validated at start).</summary>
/// <param name="StopGracePeriod">Between SIGTERM and SIGKILL when a worker is stopped or replaced.</param>
/// <param name="HeartbeatTimeout">A worker silent this long (and for that many health ticks, see <see cref="HeartbeatWatch"/>) is hung and killed.</param>
/// <param name="CancelGracePeriod">How long a worker may go on with a request its caller abandoned before it is killed.</param>
/// <param name="Recycle">When a worker is replaced by a fresh one.</param>
/// <param name="HeartbeatInterval">The health loop's period: one tick, one heartbeat asked.</param>
internal sealed record SupervisorSettings(TimeSpan StopGracePeriod, TimeSpan HeartbeatTimeout, TimeSpan CancelGracePeriod, RecyclePolicy Recycle, TimeSpan HeartbeatInterval);
