using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>fleetvpn pki revoke</c> and <c>fleetvpn pki crl</c>: the CRL they make is one OpenSSL (the library the real openvpn
/// checks CRLs with) verifies against the CA, and with it OpenSSL refuses the revoked certificate and accepts the others.
/// No network: these run in a temp folder only.
/// </summary>
public sealed class PkiCrlCliTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), $"fve2e-{Environment.ProcessId}-pkicrl-{Guid.NewGuid().ToString("N")[..6]}");

    public PkiCrlCliTests() => Directory.CreateDirectory(_temp);

    public void Dispose()
    {
        try { Directory.Delete(_temp, recursive: true); }
        catch (IOException) { /* removed by a later run */ }
    }

    private string Dir => Path.Combine(_temp, "pki");

    [Theory]
    [InlineData("ecdsa")]
    [InlineData("rsa")]
    public async Task The_crl_of_pki_crl_verifies_with_openssl_and_revokes_only_the_revoked_certificate(string keyType)
    {
        await PkiCli.RunCheckedAsync("init", Dir, "--key-type", keyType);
        await PkiCli.RunCheckedAsync("clients", Dir, "--count", "2", "--prefix", "dev-");
        var kept = Path.Combine(Dir, "issued", "dev-000002.crt");
        var serial = (await Openssl("x509", "-in", Path.Combine(Dir, "issued", "dev-000001.crt"), "-noout", "-serial")).StandardOutput.Trim()["serial=".Length..];

        var revoke = await PkiCli.RunCheckedAsync("revoke", Dir, "--cn", "dev-000001");
        var crl = await PkiCli.RunCheckedAsync("crl", Dir, "--out", Path.Combine(_temp, "crl.pem"));

        Assert.Contains($"serial {serial}", revoke.StandardOutput);
        Assert.Contains("CRL number 1: 1 revoked certificate(s)", crl.StandardOutput);
        var caFile = Path.Combine(Dir, "ca.crt");
        var crlFile = Path.Combine(_temp, "crl.pem");
        var signature = await Openssl("crl", "-in", crlFile, "-CAfile", caFile, "-noout");
        Assert.True(signature.Succeeded && signature.StandardError.Contains("verify OK"), $"openssl does not verify the CRL:\n{signature}");

        var revokedCheck = await Openssl("verify", "-crl_check", "-CAfile", caFile, "-CRLfile", crlFile, Path.Combine(Dir, "revoked", serial + ".crt"));
        Assert.False(revokedCheck.Succeeded, $"openssl accepts the revoked certificate:\n{revokedCheck}");
        Assert.Contains("certificate revoked", revokedCheck.StandardOutput + revokedCheck.StandardError);
        var keptCheck = await Openssl("verify", "-crl_check", "-CAfile", caFile, "-CRLfile", crlFile, kept);
        Assert.True(keptCheck.Succeeded, $"openssl refuses a certificate that was not revoked:\n{keptCheck}");
    }

    [Fact]
    public async Task Revoke_refusals_exit_1_with_a_message()
    {
        await PkiCli.RunCheckedAsync("init", Dir);

        var unknown = await PkiCli.RunAsync("revoke", Dir, "--cn", "nobody");
        var neither = await PkiCli.RunAsync("revoke", Dir);
        var badSerial = await PkiCli.RunAsync("revoke", Dir, "--serial", "not-hex");

        Assert.Equal((1, 1, 1), (unknown.ExitCode, neither.ExitCode, badSerial.ExitCode));
        Assert.Contains("has no certificate 'nobody' to revoke", unknown.StandardError);
        Assert.Contains("--cn NAME or --serial HEX", neither.StandardError);
        Assert.Contains("is not a serial number", badSerial.StandardError);
    }

    private static Task<CommandResult> Openssl(params string[] args) => Commands.RunAsync(Tools.Resolve("openssl"), args, Commands.DefaultTimeout);
}
