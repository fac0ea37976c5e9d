using System.Text;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// Files from <c>fleetvpn pki</c> work with the real openvpn 2.6: a server on the pki's CA and server
/// certificate (FleetVPN's <c>fleetvpn serve</c>, or the stock openvpn server) and a real openvpn client
/// started on exactly what <c>fleetvpn pki client-config</c> printed connect, and the client pings 10.8.0.1.
/// </summary>
public sealed class PkiTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    [Theory]
    [InlineData("ecdsa", false)]
    [InlineData("rsa", true)]
    public async Task Openvpn_client_on_the_printed_profile_connects_to_fleetvpn_with_pki_certificates(string keyType, bool tlsCrypt)
    {
        var pki = await MakePkiAsync(keyType, tlsCrypt);
        await using var server = await StartServerAsync(pki, env.ServerKind);
        await using var client = await ConnectAsync(pki, "device-000002");

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        var status = await StatusFile.WaitForAsync(server.StatusPath!, s => s.Lists("device-000002"), TimeSpan.FromSeconds(10));
        Assert.True(status is not null, $"the server's status file never listed device-000002.\n{server.Process.Describe()}");
    }

    [Fact]
    public async Task Stock_openvpn_server_accepts_pki_server_certificate_and_client_profile()
    {
        var pki = await MakePkiAsync("ecdsa", tlsCrypt: true);
        await using var server = await StartServerAsync(pki, ServerKind.OpenVpn);
        await using var client = await ConnectAsync(pki, "device-000003");

        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        Assert.True(server.Log.Contains("device-000003"), $"the openvpn server never named device-000003.\n{server.Process.Describe()}");
    }

    private sealed record PkiFiles(string Directory, string? TlsCryptKey);

    /// <summary><c>pki init</c>, <c>pki server --cn server</c>, <c>pki clients --count 3</c> (and <c>pki tls-crypt-key</c>) into a new folder.</summary>
    private async Task<PkiFiles> MakePkiAsync(string keyType, bool tlsCrypt)
    {
        var directory = Path.Combine(env.TempDirectory, $"pki-{keyType}-{Guid.NewGuid().ToString("N")[..6]}");
        await PkiCli.RunCheckedAsync("init", directory, "--key-type", keyType);
        await PkiCli.RunCheckedAsync("server", directory, "--cn", "server", "--key-type", keyType);
        var clients = await PkiCli.RunCheckedAsync("clients", directory, "--count", "3", "--key-type", keyType);
        output.WriteLine(clients.StandardOutput);
        string? key = null;
        if (tlsCrypt)
        {
            key = Path.Combine(directory, "tc.key");
            await PkiCli.RunCheckedAsync("tls-crypt-key", key);
        }
        return new PkiFiles(directory, key);
    }

    /// <summary>A server.conf on the pki's files (as <see cref="ServerConfig"/> writes one, with these paths) and the server started on it.</summary>
    private Task<ServerProcess> StartServerAsync(PkiFiles pki, ServerKind kind)
    {
        var path = Path.Combine(pki.Directory, "server.conf");
        var statusPath = Path.Combine(pki.Directory, "status.log");
        var text = new StringBuilder()
            .AppendLine("# written by the FleetVPN end-to-end tests (PkiTests)")
            .AppendLine("proto udp")
            .AppendLine($"port {ServerConfig.DefaultPort}")
            .AppendLine("dev tun")
            .AppendLine("topology subnet")
            .AppendLine("server 10.8.0.0 255.255.255.0")
            .AppendLine("keepalive 10 120")
            .AppendLine($"ca {Path.Combine(pki.Directory, "ca.crt")}")
            .AppendLine($"cert {Path.Combine(pki.Directory, "issued", "server.crt")}")
            .AppendLine($"key {Path.Combine(pki.Directory, "private", "server.key")}")
            .AppendLine("dh none")
            .AppendLine("remote-cert-tls client")
            .AppendLine($"status {statusPath} 1")
            .AppendLine("verb 3");
        if (pki.TlsCryptKey is not null) text.AppendLine($"tls-crypt {pki.TlsCryptKey}");
        File.WriteAllText(path, text.ToString());
        output.WriteLine($"server config {path}:\n{text}");
        return ServerProcess.StartAsync(kind, env.Namespaces.Server, path, env.TempDirectory, output, E2EFixture.ServerReadyTimeout, statusPath);
    }

    /// <summary>Runs <c>pki client-config</c>, writes its standard output unchanged to a file, and starts the real openvpn client on that file.</summary>
    private async Task<OpenVpnClient> ConnectAsync(PkiFiles pki, string commonName)
    {
        var side = env.Namespaces.FirstClient;
        var args = new List<string> { "client-config", pki.Directory, "--cn", commonName, "--remote", $"{side.ServerAddress}:{ServerConfig.DefaultPort}" };
        if (pki.TlsCryptKey is not null) args.AddRange(["--tls-crypt", pki.TlsCryptKey]);
        var printed = await PkiCli.RunCheckedAsync([.. args]);
        Assert.Empty(printed.StandardError);

        var profile = Path.Combine(pki.Directory, $"{commonName}.ovpn");
        await File.WriteAllTextAsync(profile, printed.StandardOutput, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        output.WriteLine($"client profile {profile}: {printed.StandardOutput.Length} characters, " +
                         $"{(pki.TlsCryptKey is null ? "no tls-crypt" : "with <tls-crypt>")}");

        // `dev tun` in a fresh client namespace: openvpn names the device tun0.
        var client = OpenVpnClient.Start(side.Namespace, commonName, "tun0", profile, env.TempDirectory, output);
        try
        {
            await client.WaitConnectedAsync(E2EFixture.ConnectTimeout);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
