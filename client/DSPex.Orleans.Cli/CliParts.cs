using System.CommandLine;
using DSPex.Orleans.Client;
using DSPex.Orleans.Client.Errors;

namespace DSPex.Orleans.Cli;

/// <summary>
/// Bytes in and out of `dspex exec`: each `--part FILE` (repeatable; `-` is stdin) is a binary part the args refer to
/// as {"$bytes": i}, i counting the --part options from 0, sent raw (never base64); `--parts-out DIR` writes each part
/// of the result to DIR/part-i.bin. Who may: whoever may run the command (the parts go with its call). A file that
/// cannot be read, or a DIR that is a file, is InvalidArguments (exit 2) naming the option, checked before anything
/// connects; parts past the frame limit are FrameTooLarge from the client before anything is sent.
/// </summary>
internal static class CliParts
{
    public static Option<string[]> PartOption()
    {
        var option = new Option<string[]>("--part")
        {
            Description = "A file sent raw as binary part i (the i-th --part, from 0), referred to in --args as {\"$bytes\": i}; '-' reads stdin",
            AllowMultipleArgumentsPerToken = false,
            Arity = ArgumentArity.ZeroOrMore,
        };
        option.Validators.Add(result =>
        {
            foreach (var path in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (path != "-" && !File.Exists(path))
                {
                    result.AddError($"--part '{path}' is not a file that exists");
                }
            }
        });
        return option;
    }

    public static Option<string?> PartsOutOption()
    {
        var option = new Option<string?>("--parts-out")
        {
            Description = "Write each binary part of the result to DIR/part-i.bin (the result's {\"$bytes\": i}); DIR is created if missing",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } dir && File.Exists(dir))
            {
                result.AddError($"--parts-out '{dir}' is a file, not a directory");
            }
        });
        return option;
    }

    /// <summary>The args with the --part files as their parts.</summary>
    public static async Task<DSPexData> ReadAsync(string argsJson, string[] paths, CancellationToken cancellationToken)
    {
        var parts = new List<ReadOnlyMemory<byte>>(paths.Length);
        foreach (var path in paths)
        {
            parts.Add(await ReadOneAsync(path, cancellationToken));
        }

        return new DSPexData(argsJson, parts);
    }

    /// <summary>Writes the result's parts to <paramref name="dir"/> as part-i.bin; the names are made here, never taken from the result.</summary>
    public static async Task WriteAsync(DSPexData result, string dir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dir);
        for (var i = 0; i < result.Parts.Count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, $"part-{i}.bin"), result.Parts[i].ToArray(), cancellationToken);
        }
    }

    private static async Task<ReadOnlyMemory<byte>> ReadOneAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
                return buffer.ToArray();
            }

            if (new FileInfo(path).Length > Array.MaxLength)
            {
                throw new InvalidArgumentsException($"--part '{path}' is larger than one part can be; send it with an upload (DSPexClient.UploadAsync)");
            }

            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidArgumentsException($"--part '{path}' could not be read: {e.Message}");
        }
    }
}
