using System.Text.Json.Nodes;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Tests.Fixtures;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Protocol.Tests;

public class LegacyKeyExpansionTests
{
    public static TheoryData<string> Vectors => new()
    {
        "openvpn-key-expansion-synthetic",
        "(legacy-prf-cbc)",
        "(legacy-prf-gcm)",
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void DerivesExactKey2(string vectorName)
    {
        var v = FixtureFiles.PrfVector(vectorName);
        var (client, server, clientSid, serverSid) = Inputs(v["inputs_hex"]!);
        var expected = FixtureFiles.Hex(v["key2_hex"], "key2_hex");
        Assert.Equal(KeyMaterial.Size, expected.Length);

        var key2 = LegacyKeyExpansion.Derive(client, server, clientSid, serverSid);

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(key2.Bytes));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void SlotsMatchTheSplitKeys(string vectorName)
    {
        var v = FixtureFiles.PrfVector(vectorName);
        var (client, server, clientSid, serverSid) = Inputs(v["inputs_hex"]!);
        var key2 = LegacyKeyExpansion.Derive(client, server, clientSid, serverSid);
        var split = v["key2_split"]!;

        Assert.Equal(FixtureFiles.Hex(split["keys[0] (client->server)"]!["cipher_64_hex"]), key2.Cipher(KeyMaterial.ClientToServer, 64).ToArray());
        Assert.Equal(FixtureFiles.Hex(split["keys[0] (client->server)"]!["hmac_64_hex"]), key2.Hmac(KeyMaterial.ClientToServer, 64).ToArray());
        Assert.Equal(FixtureFiles.Hex(split["keys[1] (server->client)"]!["cipher_64_hex"]), key2.Cipher(KeyMaterial.ServerToClient, 64).ToArray());
        Assert.Equal(FixtureFiles.Hex(split["keys[1] (server->client)"]!["hmac_64_hex"]), key2.Hmac(KeyMaterial.ServerToClient, 64).ToArray());
    }

    [Fact]
    public void SyntheticMasterSecretMatchesIntermediateValue()
    {
        // The synthetic vector publishes the 48-byte master secret; check the first PRF step on its own.
        var v = FixtureFiles.PrfVector("openvpn-key-expansion-synthetic");
        var inputs = v["inputs_hex"]!;
        var seed = FixtureFiles.Hex(v["master_seed_hex"]);
        Assert.Equal(
            [.. "OpenVPN master secret"u8, .. FixtureFiles.Hex(inputs["client_random1"]), .. FixtureFiles.Hex(inputs["server_random1"])],
            seed);
        var master = new byte[48];
        Tls1Prf.Derive(FixtureFiles.Hex(inputs["client_pre_master"]), seed, master);
        Assert.Equal(FixtureFiles.Hex(v["master_secret_hex"]), master);
    }

    [Fact]
    public void SessionIdOrderMatters()
    {
        var v = FixtureFiles.PrfVector("(legacy-prf-gcm)");
        var (client, server, clientSid, serverSid) = Inputs(v["inputs_hex"]!);
        var swapped = LegacyKeyExpansion.Derive(client, server, serverSid, clientSid);
        Assert.NotEqual(FixtureFiles.Hex(v["key2_hex"]), swapped.Bytes.ToArray());
    }

    [Fact]
    public void ClientWithoutPreMasterIsRejected()
    {
        var v = FixtureFiles.PrfVector("openvpn-key-expansion-synthetic");
        var (client, server, clientSid, serverSid) = Inputs(v["inputs_hex"]!);
        var noPreMaster = new KeySource(null, client.Random1, client.Random2);
        Assert.Throws<ArgumentException>(() => LegacyKeyExpansion.Derive(noPreMaster, server, clientSid, serverSid));
    }

    internal static (KeySource Client, KeySource Server, SessionId ClientSid, SessionId ServerSid) Inputs(JsonNode inputs) =>
    (
        new KeySource(FixtureFiles.Hex(inputs["client_pre_master"]), FixtureFiles.Hex(inputs["client_random1"]), FixtureFiles.Hex(inputs["client_random2"])),
        new KeySource(null, FixtureFiles.Hex(inputs["server_random1"]), FixtureFiles.Hex(inputs["server_random2"])),
        SessionId.Read(FixtureFiles.Hex(inputs["client_session_id"])),
        SessionId.Read(FixtureFiles.Hex(inputs["server_session_id"]))
    );
}
