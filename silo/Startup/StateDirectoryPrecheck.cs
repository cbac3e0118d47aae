using DSPex.Orleans.Configuration;
using DSPex.Orleans.Diagnostics;
using DSPex.Orleans.Silo.Configuration;
using Microsoft.Extensions.Configuration;

namespace DSPex.Orleans.Silo.Startup;

/// <summary>
/// The process-safety state directory under the rules the registry applies (doctor's state directory check, which
/// creates nothing): checked before the host is built, so a folder another user could change (a symbolic link, mode
/// 0777, another owner) stops the start with one line naming it and the rule, exit code 2. The registry refuses it
/// again when it opens (a co-hosting application, or a folder changed in between), inside Orleans' lifecycle, where the
/// refusal would come with Orleans' own error logs.
/// </summary>
internal static class StateDirectoryPrecheck
{
    public static void Verify(IConfiguration configuration, SiloHostOptions silo)
    {
        var safety = configuration.GetSection(ProcessSafetyOptions.SectionName).Get<ProcessSafetyOptions>() ?? new ProcessSafetyOptions();
        var result = new StateDirectoryCheck(safety.ResolveClusterDirectory(silo.ClusterId)).RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (result.Status == CheckStatus.Fail)
        {
            throw new SiloConfigurationException(result.Message); // the check names the setting
        }
    }
}
