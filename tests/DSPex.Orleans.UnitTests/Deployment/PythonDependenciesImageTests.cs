using System.Text.RegularExpressions;

namespace DSPex.Orleans.UnitTests.Deployment;

/// <summary>
/// deploy/docker/python-deps, the documented way to add Python dependencies to the silo image, read as text (no Docker
/// engine needed): a derived image whose workers run a virtual environment built from requirements.txt, with no pip
/// left in the image, as the base image's non-root user.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class PythonDependenciesImageTests
{
    private static readonly string Folder = Path.Combine(RepositoryFiles.Root, "deploy", "docker", "python-deps");
    private static readonly IReadOnlyList<string> Instructions = ReadInstructions(Path.Combine(Folder, "Dockerfile"));

    [Fact]
    public void Both_stages_derive_from_the_silo_image_the_builder_names()
    {
        Assert.Contains("ARG DSPEX_IMAGE", Instructions);
        var froms = Instructions.Where(i => i.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, froms.Count);
        Assert.All(froms, f => Assert.StartsWith("FROM ${DSPEX_IMAGE} AS ", f, StringComparison.Ordinal));
    }

    [Fact]
    public void The_requirements_go_into_a_virtual_environment_that_the_workers_run()
    {
        Assert.True(File.Exists(Path.Combine(Folder, "requirements.txt")));
        var deps = Stage(0);
        Assert.Contains(deps, i => i.StartsWith("COPY requirements.txt ", StringComparison.Ordinal));
        Assert.Contains(deps, i => i.StartsWith("RUN ", StringComparison.Ordinal) && i.Contains("python3 -m venv /opt/dspex-venv", StringComparison.Ordinal)
            && i.Contains("/opt/dspex-venv/bin/pip install", StringComparison.Ordinal) && i.Contains("-r /tmp/requirements.txt", StringComparison.Ordinal));

        var runtime = Stage(1);
        Assert.Contains("COPY --from=deps /opt/dspex-venv /opt/dspex-venv", runtime);
        var environment = string.Join(' ', runtime.Where(i => i.StartsWith("ENV ", StringComparison.Ordinal)));
        Assert.Contains("DSPEX_DSPex__Pool__PythonExecutable=/opt/dspex-venv/bin/python", environment);
        var module = Assert.Single(AdapterModule().Matches(environment)).Groups["module"].Value;
        Assert.True(File.Exists(Path.Combine(Folder, "adapters", module + ".py")), $"adapters/{module}.py is not in the example");
    }

    [Fact]
    public void The_image_it_makes_has_no_pip_and_runs_as_the_non_root_user()
    {
        var runtime = Stage(1);
        Assert.DoesNotContain(runtime, i => i.StartsWith("RUN ", StringComparison.Ordinal));
        // pip and venv were used in the deps stage only, and pip is removed from the environment before it is copied.
        Assert.Contains(Stage(0), i => i.Contains("/opt/dspex-venv/bin/pip uninstall -y pip", StringComparison.Ordinal));
        Assert.Equal("USER $APP_UID", runtime.Last(i => i.StartsWith("USER ", StringComparison.Ordinal)));
    }

    private static IReadOnlyList<string> Stage(int index)
    {
        var starts = Instructions.Select((i, n) => (i, n)).Where(x => x.i.StartsWith("FROM ", StringComparison.Ordinal)).Select(x => x.n).ToList();
        var end = index + 1 < starts.Count ? starts[index + 1] : Instructions.Count;
        return Instructions.Skip(starts[index]).Take(end - starts[index]).ToList();
    }

    /// <summary>Instructions with line continuations joined and comment lines dropped.</summary>
    private static IReadOnlyList<string> ReadInstructions(string path)
    {
        var joined = new List<string>();
        var current = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            current = current.Length == 0 ? line : current + " " + line;
            if (current.EndsWith('\\'))
            {
                current = current[..^1].TrimEnd();
                continue;
            }

            if (current.Length > 0)
            {
                joined.Add(Regex.Replace(current, @"\s+", " "));
            }

            current = "";
        }

        return joined;
    }

    [GeneratedRegex(@"DSPEX_DSPex__Pool__AdapterModules__0=(?<module>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex AdapterModule();
}
