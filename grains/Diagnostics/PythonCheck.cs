using DSPex.Orleans.Processes;

namespace DSPex.Orleans.Diagnostics;

/// <summary>The pool's Python executable starts, is Python 3.10 or later, and where it really lives (a pyenv shim resolved).</summary>
internal sealed class PythonCheck(string pool, string pythonExecutable) : IDiagnosticCheck
{
    /// <summary>The setting of the default pool's interpreter (a named pool's is DSPex:Pools:NAME:PythonExecutable).</summary>
    public const string Setting = "DSPex:Pool:PythonExecutable";

    public string Name => $"pool {pool}: python";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        try
        {
            var resolved = PythonInterpreter.Resolve(pythonExecutable);
            return CheckResult.Pass(Name, $"{pythonExecutable} is {resolved}");
        }
        catch (PythonInterpreterException e)
        {
            return new CheckResult(Name, CheckStatus.Fail, e.Message, DiagnosticChecks.PoolSetting(pool, "PythonExecutable"));
        }
    }, cancellationToken);
}
