using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DSPex.Orleans.Diagnostics;

/// <summary>
/// TLS files as the silo (or a client) loads them: each file readable, the certificate and key a pair, the certificate
/// within its validity (a warning inside <see cref="ExpiryWarning"/>), the CA bundle holding certificates, the
/// certificate chaining to that bundle alone (the custom root trust peers validate with), and the private key not
/// open to every user of the host (a warning, <see cref="TlsKeyFile"/>). Names files and subjects, never key material.
/// </summary>
internal sealed class TlsFilesCheck(string name, string section, string? certificateFile, string? keyFile, string? caFile, TimeProvider? clock = null) : IDiagnosticCheck
{
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Name => name;

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken) => Task.FromResult(Run());

    private CheckResult Run()
    {
        if (string.IsNullOrEmpty(caFile))
        {
            return CheckResult.Skip(Name, $"TLS is off ({section}:CaFile not set)");
        }

        foreach (var (file, setting) in new[] { (caFile, "CaFile"), (certificateFile, "CertificateFile"), (keyFile ?? certificateFile, keyFile is null ? "CertificateFile" : "KeyFile") })
        {
            if (string.IsNullOrEmpty(file))
            {
                continue;
            }

            if (Unreadable(file) is { } why)
            {
                return Fail($"{section}:{setting}", $"cannot read '{file}' ({why})");
            }
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (CryptographicException)
        {
            return Fail($"{section}:CaFile", $"'{caFile}' is not a PEM certificate bundle");
        }

        if (roots.Count == 0)
        {
            return Fail($"{section}:CaFile", $"'{caFile}' holds no PEM certificate");
        }

        if (string.IsNullOrEmpty(certificateFile))
        {
            return CheckResult.Pass(Name, $"CA bundle {caFile}: {roots.Count} certificate(s); no certificate of its own (a client may go without)");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile ?? certificateFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // The runtime's message names the mismatch or the malformed PEM; it never quotes the key.
            return Fail($"{section}:KeyFile", $"certificate '{certificateFile}' and key '{keyFile ?? certificateFile}' are not a usable pair ({e.Message})");
        }

        using (certificate)
        {
            var now = _clock.GetUtcNow().UtcDateTime;
            var details = new List<string> { $"subject {certificate.Subject}", $"issuer {certificate.Issuer}", $"valid {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}" };
            if (certificate.NotAfter.ToUniversalTime() <= now)
            {
                return Fail($"{section}:CertificateFile", $"'{certificateFile}' expired on {certificate.NotAfter.ToUniversalTime():u}", details);
            }

            if (certificate.NotBefore.ToUniversalTime() > now)
            {
                return Fail($"{section}:CertificateFile", $"'{certificateFile}' is not valid before {certificate.NotBefore.ToUniversalTime():u}", details);
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now;
            if (!chain.Build(certificate))
            {
                var why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
                return Fail($"{section}:CaFile", $"'{certificateFile}' does not chain to the CA bundle '{caFile}' ({why})", details);
            }

            var left = certificate.NotAfter.ToUniversalTime() - now;
            if (TlsKeyFile.Exposure(keyFile ?? certificateFile) is { } exposed)
            {
                return new CheckResult(Name, CheckStatus.Warn, exposed, $"{section}:{(keyFile is null ? "CertificateFile" : "KeyFile")}",
                    [.. details, $"certificate and key match, chain to the CA bundle, valid for {left.TotalDays:0} more days"]);
            }

            return left < ExpiryWarning
                ? new CheckResult(Name, CheckStatus.Warn, $"'{certificateFile}' expires in {left.TotalDays:0.#} days", $"{section}:CertificateFile", details)
                : CheckResult.Pass(Name, $"certificate and key match, chain to the CA bundle, valid for {left.TotalDays:0} more days", details);
        }
    }

    private CheckResult Fail(string setting, string summary, IReadOnlyList<string>? details = null) => new(Name, CheckStatus.Fail, summary, setting, details);

    private static string? Unreadable(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e is UnauthorizedAccessException ? "permission denied" : e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.GetType().Name;
        }
    }
}
