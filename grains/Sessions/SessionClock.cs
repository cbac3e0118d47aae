namespace DSPex.Orleans.Sessions;

/// <summary>
/// The time sessions age by. A type of its own so a host (or a test) can move session time without changing
/// the TimeProvider Orleans itself runs on.
/// </summary>
internal sealed class SessionClock(TimeProvider time)
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
