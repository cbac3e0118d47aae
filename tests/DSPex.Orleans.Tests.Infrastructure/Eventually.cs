namespace DSPex.Orleans.Tests.Infrastructure;

/// <summary>
/// Waits for a condition the system reaches on its own (a replacement worker, a process exit) that offers no
/// event to await from outside. The bound only stops a broken build from hanging; it is not a timing assertion.
/// </summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? bound = null)
    {
        var until = DateTime.UtcNow + (bound ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Condition never held: {what}. Last value: {value}");
            }

            await Task.Delay(20);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? bound = null) =>
        HoldsAsync(() => Task.FromResult(condition()), ok => ok, what, bound);
}
