namespace DSPex.Orleans.Workers.ProcessSafety;

/// <summary>What started a sweep; reported with it.</summary>
internal static class SweepTriggers
{
    public const string Start = "start";
    public const string Reminder = "reminder";
    public const string Manual = "manual";
    public const string Stop = "stop";
}
