using System.Buffers.Binary;
using System.Net;
using System.Text.RegularExpressions;
using System.Net.Sockets;
using FleetVpn.EndToEnd.Tests.Infrastructure;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// tls-crypt-v2 with the real openvpn 2.6: its client with a client key made by `fleetvpn pki` connects to FleetVPN
/// (V3 reset, stateless cookie reply asking for the key again, P_CONTROL_WKC_V1) and pings; the same keys work with
/// the openvpn server, and keys made by `openvpn --genkey` work with FleetVPN. A key past tls-crypt-v2-max-age and a
/// wrapped key with one byte flipped get no session: the server counts them, keeps nothing, and serves a good client.
/// </summary>
public sealed partial class TlsCryptV2Tests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private static readonly TimeSpan BadClientWindow = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Openvpn_client_with_a_key_from_fleetvpn_pki_connects_to_fleetvpn_and_pings()
    {
        var (serverKey, clientKey) = await PkiKeysAsync("pki");
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt-v2 {serverKey}"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Extra = [$"tls-crypt-v2 {clientKey}"] });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        // With tls-crypt-v2 alone the server could read the client's third packet only because the client resent
        // its key in it (P_CONTROL_WKC_V1), after the stateless cookie reply asked for it.
        await server.StopAsync(TimeSpan.FromSeconds(10));
        var counters = Counters(server);
        Assert.True(counters["cookie-replies"] >= 1, server.Process.Describe(40));
        Assert.Equal(0, counters["tls-crypt-v2-key-rejected"]);
    }

    /// <summary>
    /// Renegotiation wraps with the client's key again after the session dropped its wrapper when idle (2 s after the
    /// handshake): server-initiated every 8 s, to key-id 1 and 2, on the first connection, the tunnel still up.
    /// </summary>
    [Fact]
    public async Task Renegotiations_of_a_tls_crypt_v2_client_use_its_key_after_idle()
    {
        var (serverKey, clientKey) = await PkiKeysAsync("reneg");
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt-v2 {serverKey}", "reneg-sec 8"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Extra = [$"tls-crypt-v2 {clientKey}"] });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!ServerLogExpectations.KeyIdsReached(server.Kind, server.Log.Lines).Contains(2) && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        var keyIds = ServerLogExpectations.KeyIdsReached(server.Kind, server.Log.Lines);
        Assert.True(keyIds.Contains(1) && keyIds.Contains(2), $"key-ids reached: [{string.Join(", ", keyIds.Order())}]\n{server.Process.Describe(60)}");
        TunnelAssertions.AssertRunningOnFirstConnection(client);
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
    }

    /// <summary>tls-crypt-v2 beside tls-crypt (doc/tls-crypt-v2.txt, "Considerations"): a device with its own key and one with the shared key, on one server.</summary>
    [Fact]
    public async Task A_tls_crypt_client_and_a_tls_crypt_v2_client_share_one_server()
    {
        var (serverKey, clientKey) = await PkiKeysAsync("beside");
        var tlsCryptKey = await env.StaticKeyAsync("beside-tls-crypt");
        var secondSide = await env.Namespaces.ClientSideAsync(2);
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt {tlsCryptKey}", $"tls-crypt-v2 {serverKey}"] });
        await using var v2 = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Device = "fvc0", Extra = [$"tls-crypt-v2 {clientKey}"] });
        await using var v1 = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client2, Device = "fvc1", Extra = [$"tls-crypt {tlsCryptKey}"] }, secondSide);
        var first = await Net.PingAsync(env.Namespaces.Server, Net.FirstClientAddress);
        var second = await Net.PingAsync(env.Namespaces.Server, "10.8.0.3");
        Assert.True(first.Succeeded && second.Succeeded, $"{first}\n{second}\n{server.Process.Describe(60)}");
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, v2, server);
    }

    [Fact]
    public async Task Keys_from_fleetvpn_pki_work_with_the_openvpn_server()
    {
        var (serverKey, clientKey) = await PkiKeysAsync("pki-ovpn");
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt-v2 {serverKey}"] }, ServerKind.OpenVpn);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Extra = [$"tls-crypt-v2 {clientKey}"] });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
    }

    [Fact]
    public async Task Keys_from_openvpn_genkey_work_with_fleetvpn()
    {
        var serverKey = Path.Combine(env.TempDirectory, "openvpn-v2-server.key");
        var clientKey = Path.Combine(env.TempDirectory, "openvpn-v2-client.key");
        await RunOpenVpnAsync(["--genkey", "tls-crypt-v2-server", serverKey]);
        await RunOpenVpnAsync(["--tls-crypt-v2", serverKey, "--genkey", "tls-crypt-v2-client", clientKey]);
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt-v2 {serverKey}", "tls-crypt-v2-max-age 1"] });
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Extra = [$"tls-crypt-v2 {clientKey}"] });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
    }

    [Fact]
    public async Task A_client_key_past_max_age_is_refused_and_a_fresh_one_connects()
    {
        var (serverKey, freshKey) = await PkiKeysAsync("max-age");
        var oldKey = Path.Combine(env.TempDirectory, "max-age-old-client.key");
        using (var key = TlsCryptV2ServerKey.Parse(File.ReadAllText(serverKey)))
        {
            long threeDaysAgo = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3 * 86400;
            File.WriteAllText(oldKey, TlsCryptV2ClientKey.Create(key, TlsCryptV2Metadata.Timestamp(threeDaysAgo)).ToPem());
        }
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt-v2 {serverKey}", "tls-crypt-v2-max-age 2"] });

        await AssertRefusedAsync(server, oldKey, "fvold0");
        Assert.True(server.Log.Find(l => l.Contains("tls-crypt-v2 client key refused", StringComparison.Ordinal) && l.Contains("older than tls-crypt-v2-max-age 2 days", StringComparison.Ordinal)) is not null,
            $"no log line for the refused key.\n{server.Process.Describe(40)}");

        await using var good = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Extra = [$"tls-crypt-v2 {freshKey}"] });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, good, server);
        await server.StopAsync(TimeSpan.FromSeconds(10));
        Assert.True(Counters(server)["tls-crypt-v2-key-expired"] >= 1, server.Process.Describe(40));
    }

    [Fact]
    public async Task A_wrapped_key_with_a_flipped_byte_is_refused_counted_and_leaves_no_state()
    {
        var (serverKey, goodKey) = await PkiKeysAsync("flipped");
        var good = TlsCryptV2ClientKey.Parse(File.ReadAllText(goodKey));
        var flipped = good.WrappedKey.ToArray();
        flipped[flipped.Length / 2] ^= 0x01;
        var badKey = Path.Combine(env.TempDirectory, "flipped-bad-client.key");
        File.WriteAllText(badKey, new TlsCryptV2ClientKey(good.Key, flipped).ToPem());
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt-v2 {serverKey}"] });

        await AssertRefusedAsync(server, badKey, "fvbad0");

        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Extra = [$"tls-crypt-v2 {goodKey}"] });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        await server.StopAsync(TimeSpan.FromSeconds(10));
        var counters = Counters(server);
        Assert.True(counters["tls-crypt-v2-key-rejected"] >= 1, server.Process.Describe(40));
        // Only the good client was answered: a rejected WKc gets no cookie reply either.
        Assert.Equal(1, counters["handshakes-ok"]);
    }

    [Fact]
    public async Task Pki_writes_keys_readable_by_their_owner_only_refuses_existing_files_and_wraps_user_metadata()
    {
        var (serverKey, _) = await PkiKeysAsync("pki-cli");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(serverKey));
        var again = await FleetVpnCli.RunAsync(["pki", "tls-crypt-v2-server", serverKey]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.ToString());

        var withMetadata = Path.Combine(env.TempDirectory, "pki-cli-user.key");
        var made = await FleetVpnCli.RunAsync(["pki", "tls-crypt-v2-client", serverKey, withMetadata, "--metadata", Convert.ToBase64String("device-42"u8)]);
        Assert.True(made.Succeeded, made.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(withMetadata));
        using var key = TlsCryptV2ServerKey.Parse(File.ReadAllText(serverKey));
        var metadata = new byte[TlsCryptV2ServerKey.MaxMetadataSize];
        var client = TlsCryptV2ClientKey.Parse(File.ReadAllText(withMetadata));
        Assert.True(key.TryUnwrapClientKey(client.WrappedKey, new byte[TlsCryptV2ServerKey.ClientKeySize], metadata, out int length));
        Assert.Equal(TlsCryptV2Metadata.User("device-42"u8), metadata[..length]);

        var bad = await FleetVpnCli.RunAsync(["pki", "tls-crypt-v2-client", serverKey, Path.Combine(env.TempDirectory, "pki-cli-bad.key"), "--metadata", "not base64!"]);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--metadata: not base64", bad.ToString());
    }

    /// <summary>
    /// Forged V3 resets and WKC_V1 packets shaped right (a tls-crypt header and tag, a WKc of a valid length whose
    /// length field matches) but with random bytes: each is dropped at the WKc tag and counted, no session, no reply.
    /// </summary>
    [Fact]
    public async Task Forged_wrapped_keys_are_counted_and_answered_with_nothing()
    {
        const int count = 2000;
        var (serverKey, clientKey) = await PkiKeysAsync("forged");
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt-v2 {serverKey}"] });
        var seed = E2ESettings.Seed ?? Random.Shared.Next();
        output.WriteLine($"forged datagrams: seed {seed} (rerun with FLEETVPN_E2E_SEED={seed})");
        var random = new Random(seed);
        var target = new IPEndPoint(IPAddress.Parse(env.Namespaces.ServerAddress), ServerConfig.DefaultPort);
        using (var socket = NamespaceSockets.Udp(env.Namespaces.Client))
        {
            for (int i = 0; i < count; i++)
            {
                int wrappedKeyLength = random.Next(TlsCryptV2ServerKey.MinWrappedKeySize, TlsCryptV2ServerKey.MaxWrappedKeySize + 1);
                var datagram = new byte[TlsCryptWrapper.HeaderSize + TlsCryptWrapper.TagSize + random.Next(0, 300) + wrappedKeyLength];
                random.NextBytes(datagram);
                datagram[0] = (byte)((i % 2 == 0 ? 10 : 11) << 3); // P_CONTROL_HARD_RESET_CLIENT_V3, P_CONTROL_WKC_V1; key-id 0
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(datagram.Length - 2), (ushort)wrappedKeyLength);
                socket.SendTo(datagram, target);
                if (i % 200 == 199) await Task.Delay(5); // let the server read rather than overflow its buffer
            }
        }
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1, Extra = [$"tls-crypt-v2 {clientKey}"] });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        await server.StopAsync(TimeSpan.FromSeconds(10));
        var counters = Counters(server);
        Assert.InRange(counters["tls-crypt-v2-key-rejected"], count * 9 / 10, count);
        Assert.Equal(1, counters["cookie-replies"]);
        Assert.Equal(1, counters["handshakes-ok"]);
        Assert.Equal(1, server.Log.Lines.Count(l => ServerLogExpectations.IsSessionStart(server.Kind, l) && l.Contains("new session", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The stateless reply on the wire (§4.4): a V3 reset whose replay id carries the early-negotiation marker
    /// (0x0F000001) gets P_CONTROL_HARD_RESET_SERVER_V2 wrapped with Kc, replay id 1, ACKing msg-pid 0 to the client's
    /// session id, with the EARLY_NEG_FLAGS TLV asking for the key again; the same reset without the marker (a client
    /// that could not resend its key) gets nothing and is counted.
    /// </summary>
    [Fact]
    public async Task The_cookie_reply_asks_a_marked_client_for_its_key_again_and_an_unmarked_reset_gets_nothing()
    {
        var (serverKey, clientKeyPath) = await PkiKeysAsync("wire");
        var clientKey = TlsCryptV2ClientKey.Parse(File.ReadAllText(clientKeyPath));
        await using var server = await env.StartServerAsync(output, new ServerConfig { Extra = [$"tls-crypt-v2 {serverKey}"] });
        using var wrapper = new TlsCryptWrapper(clientKey.Key, isServer: false);
        var target = new IPEndPoint(IPAddress.Parse(env.Namespaces.ServerAddress), ServerConfig.DefaultPort);
        using var socket = NamespaceSockets.Udp(env.Namespaces.Client);
        socket.ReceiveTimeout = 3000;
        var sessionId = new SessionId(0x0123456789ABCDEF);

        socket.SendTo(V3Reset(wrapper, clientKey, sessionId, replayId: 1), target);
        Assert.Null(Receive(socket));

        socket.SendTo(V3Reset(wrapper, clientKey, sessionId, replayId: TlsCryptV2Packet.EarlyNegotiationStart + 1), target);
        var reply = Receive(socket);
        Assert.True(reply is not null, $"no reply to a marked V3 reset.\n{server.Process.Describe(40)}");
        var unwrapped = new byte[reply.Length];
        Assert.True(wrapper.TryUnwrap(reply, unwrapped, out int length, out uint replayId, out _), "the reply is not wrapped with Kc");
        Assert.Equal(1u, replayId);
        Assert.True(ControlPacket.TryParse(unwrapped.AsSpan(0, length), out var packet));
        Assert.Equal(Opcode.ControlHardResetServerV2, packet.Opcode);
        Assert.Equal(1, packet.AckCount);
        Assert.Equal(sessionId, packet.RemoteSessionId);
        Assert.Equal(0u, packet.MessageId);
        Assert.Equal(Convert.ToHexString(TlsCryptV2Packet.ResendWkcTlv), Convert.ToHexString(packet.Payload));

        await server.StopAsync(TimeSpan.FromSeconds(10));
        var counters = Counters(server);
        Assert.Equal(1, counters["tls-crypt-v2-without-cookie"]);
        Assert.Equal(1, counters["cookie-replies"]);
    }

    private static byte[] V3Reset(TlsCryptWrapper wrapper, TlsCryptV2ClientKey key, SessionId sessionId, uint replayId)
    {
        var reset = new byte[ControlPacket.GetSize(0, true, 0)];
        ControlPacket.Write(reset, Opcode.ControlHardResetClientV3, 0, sessionId, default, default, 0, default);
        var datagram = new byte[reset.Length + wrapper.Overhead + key.WrappedKey.Length];
        int length = wrapper.Wrap(reset, replayId, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), datagram);
        key.WrappedKey.CopyTo(datagram.AsSpan(length));
        return datagram[..(length + key.WrappedKey.Length)];
    }

    private static byte[]? Receive(Socket socket)
    {
        var buffer = new byte[2048];
        try
        {
            int n = socket.Receive(buffer);
            return buffer[..n];
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return null;
        }
    }

    /// <summary>A client with <paramref name="clientKey"/> tries for a while and gets nothing: no connection, no session, no log line of a session.</summary>
    private async Task AssertRefusedAsync(ServerProcess server, string clientKey, string device)
    {
        var logMark = server.Log.Count;
        await using var bad = env.StartClient(output, new ClientConfig { Identity = env.Pki.Client2, Device = device, Extra = [$"tls-crypt-v2 {clientKey}"] });
        var connected = await bad.Process.WaitForTextAsync(OpenVpnClient.ConnectedLine, BadClientWindow);
        Assert.True(connected is null, $"a client with a refused key connected.\n{bad.Process.Describe()}");
        await TunnelAssertions.AssertNotConnectedAsync(env, bad);
        Assert.False(server.HasExited, server.Process.Describe());
        var during = server.Log.Lines.Skip(logMark).ToArray();
        Assert.DoesNotContain(during, l => ServerLogExpectations.IsSessionStart(server.Kind, l));
        await bad.StopAsync();
    }

    /// <summary>The counters FleetVPN prints when it stops ("name=value" pairs).</summary>
    private static Dictionary<string, long> Counters(ServerProcess server)
    {
        var line = server.Log.Find(l => l.Contains("tls-crypt-v2-key-rejected=", StringComparison.Ordinal));
        Assert.True(line is not null, $"no counters line.\n{server.Process.Describe(40)}");
        return CounterPair().Matches(line).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<(string ServerKey, string ClientKey)> PkiKeysAsync(string name)
    {
        var serverKey = Path.Combine(env.TempDirectory, $"{name}-v2-server.key");
        var clientKey = Path.Combine(env.TempDirectory, $"{name}-v2-client.key");
        var made = await FleetVpnCli.RunAsync(["pki", "tls-crypt-v2-server", serverKey]);
        Assert.True(made.Succeeded, made.ToString());
        made = await FleetVpnCli.RunAsync(["pki", "tls-crypt-v2-client", serverKey, clientKey]);
        Assert.True(made.Succeeded, made.ToString());
        return (serverKey, clientKey);
    }

    private static async Task RunOpenVpnAsync(IReadOnlyList<string> args)
    {
        var result = await Commands.RunAsync(Tools.Resolve("openvpn"), args, Commands.DefaultTimeout);
        Assert.True(result.Succeeded, result.ToString());
    }

    [GeneratedRegex(@"([a-z0-9-]+)=(\d+)")]
    private static partial Regex CounterPair();
}
