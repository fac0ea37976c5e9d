using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Tests.Fixtures;

namespace FleetVpn.Protocol.Tests;

public class OptionsStringTests
{
    [Fact]
    public void ParsesA26ClientString()
    {
        var o = OptionsString.Parse("V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,key-method 2,tls-client");
        Assert.True(o.Has("V4"));
        Assert.Equal("", o.Get("V4"));
        Assert.Equal("tun", o.Get("dev-type"));
        Assert.Equal("1541", o.Get("link-mtu"));
        Assert.Equal("UDPv4", o.Get("proto"));
        Assert.Equal("SHA1", o.Get("auth"));
        Assert.Equal("2", o.Get("key-method"));
        Assert.True(o.Has("tls-client"));
        Assert.Null(o.Cipher);
        Assert.False(o.CompLzo);
        Assert.Null(o.Get("cipher"));
        Assert.False(o.Has("tls-server"));
    }

    [Fact]
    public void ParsesCipherAuthAndCompLzoFromTheFixtures()
    {
        var gcm = OptionsString.Parse(ClientOptions("legacy-prf-gcm"));
        Assert.Equal("AES-256-GCM", gcm.Cipher);
        Assert.Equal("[null-digest]", gcm.Get("auth"));
        Assert.Equal("1", gcm.Get("keydir"));
        Assert.True(gcm.Has("tls-auth"));
        Assert.False(gcm.CompLzo);

        var cbc = OptionsString.Parse(ClientOptions("no-wrap-cbc"));
        Assert.True(cbc.CompLzo);
        Assert.Equal("SHA256", cbc.Get("auth"));
        Assert.Null(cbc.Cipher);

        var prfCbc = OptionsString.Parse(ClientOptions("legacy-prf-cbc"));
        Assert.Equal("AES-256-CBC", prfCbc.Cipher);
        Assert.Equal("SHA512", prfCbc.Get("auth"));
    }

    [Fact]
    public void ValueKeepsEverythingAfterTheFirstSpace()
    {
        var o = OptionsString.Parse("V4,ifconfig 10.8.0.1 10.8.0.2,comp-lzo");
        Assert.Equal("10.8.0.1 10.8.0.2", o.Get("ifconfig"));
        Assert.True(o.CompLzo);
    }

    [Fact]
    public void ServerStringMatchesWhatA26ServerSends()
    {
        // tls-crypt fixture: the real 2.6 server's options string (§5.4/§9.2).
        var real = FixtureFiles.Json("tls-crypt", "decoded.json")["tls"]!["0"]!["km2_server"]!["options"]!.GetValue<string>();
        Assert.Equal(real, OptionsString.ForServer(1500, 1541, compLzo: false));
        Assert.Equal("V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,comp-lzo,auth SHA1,keysize 128,key-method 2,tls-server",
            OptionsString.ForServer(1500, 1541, compLzo: true));
        Assert.True(OptionsString.Parse(OptionsString.ForServer(1500, 1541, true)).CompLzo);
    }

    private static string ClientOptions(string fixture) =>
        FixtureFiles.Json(fixture, "decoded.json")["tls"]!["0"]!["km2_client"]!["options"]!.GetValue<string>();
}
