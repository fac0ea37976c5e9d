using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Tests.Fixtures;

namespace FleetVpn.Protocol.Tests;

public class PeerInfoTests
{
    /// <summary>The 2.6 client default peer-info of §5.5.</summary>
    private const string Client26 =
        "IV_VER=2.6.14\nIV_PLAT=linux\nIV_TCPNL=1\nIV_MTU=1600\nIV_NCP=2\n" +
        "IV_CIPHERS=AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305\nIV_PROTO=990\n" +
        "IV_LZO_STUB=1\nIV_COMP_STUB=1\nIV_COMP_STUBv2=1\n";

    [Fact]
    public void ParsesTheDocumented26ClientPeerInfo()
    {
        var p = PeerInfo.Parse(Client26);
        Assert.Equal("2.6.14", p.Version);
        Assert.Equal("linux", p.Platform);
        Assert.Equal(990, p.Proto);
        Assert.Equal(2, p.Ncp);
        Assert.Equal(1600, p.Mtu);
        Assert.Equal(["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"], p.Ciphers);
        Assert.True(p.CompStubV2);
    }

    [Fact]
    public void Proto990HasBits1To4And6To9()
    {
        var p = PeerInfo.Parse(Client26);
        // 990 = 0b11_1101_1110: bits 1,2,3,4,6,7,8,9 (§5.5)
        Assert.True(p.Has(PeerInfo.ProtoDataV2));
        Assert.True(p.Has(PeerInfo.ProtoRequestPush));
        Assert.True(p.Has(PeerInfo.ProtoTlsKeyExport));
        Assert.True(p.Has(PeerInfo.ProtoCcExitNotify));
        var bits = Enumerable.Range(0, 12).Where(b => p.Has(1 << b)).ToArray();
        Assert.Equal([1, 2, 3, 4, 6, 7, 8, 9], bits);
        Assert.Equal(2, PeerInfo.ProtoDataV2);
        Assert.Equal(4, PeerInfo.ProtoRequestPush);
        Assert.Equal(8, PeerInfo.ProtoTlsKeyExport);
        Assert.Equal(128, PeerInfo.ProtoCcExitNotify);
    }

    [Fact]
    public void OlderClientsHaveFewerBits()
    {
        var v24 = PeerInfo.Parse("IV_VER=2.4.12\nIV_PLAT=win\nIV_NCP=2\nIV_PROTO=2\n");
        Assert.True(v24.Has(PeerInfo.ProtoDataV2));
        Assert.False(v24.Has(PeerInfo.ProtoRequestPush));
        Assert.False(v24.Has(PeerInfo.ProtoTlsKeyExport));
        Assert.Null(v24.Ciphers);
        Assert.False(v24.CompStubV2);

        var v25 = PeerInfo.Parse("IV_VER=2.5.11\nIV_PROTO=6\nIV_NCP=2\nIV_CIPHERS=AES-256-GCM:AES-128-GCM\n");
        Assert.True(v25.Has(PeerInfo.ProtoRequestPush));
        Assert.False(v25.Has(PeerInfo.ProtoTlsKeyExport));
        Assert.Equal(["AES-256-GCM", "AES-128-GCM"], v25.Ciphers);
    }

    [Fact]
    public void ToleratesCrLfMissingAndMalformedLines()
    {
        var p = PeerInfo.Parse("IV_VER=2.6.1\r\nIV_PROTO=abc\r\n=x\r\nJUNK\r\nIV_MTU=\r\nIV_PLAT=mac");
        Assert.Equal("2.6.1", p.Version);
        Assert.Equal("mac", p.Platform);
        Assert.Equal(0, p.Proto);
        Assert.Equal(0, p.Mtu);
        Assert.Null(p.Ciphers);

        var empty = PeerInfo.Parse("");
        Assert.Null(empty.Version);
        Assert.Equal(0, empty.Proto);
        Assert.Equal(0, empty.Ncp);
    }

    [Fact]
    public void ValuesMayContainEqualsSigns()
    {
        var p = PeerInfo.Parse("IV_VER=2.6=x\nIV_CIPHERS=::AES-128-GCM::\n");
        Assert.Equal("2.6=x", p.Version);
        Assert.Equal(["AES-128-GCM"], p.Ciphers);
    }

    [Theory]
    [InlineData("tls-crypt", 2, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305")]
    [InlineData("tls-auth", 0, "CHACHA20-POLY1305")]
    [InlineData("no-wrap-cbc", 0, "AES-256-CBC")]
    public void ParsesTheCapturedPeerInfo(string fixture, int ncp, string ciphers)
    {
        var text = FixtureFiles.Json(fixture, "decoded.json")["tls"]!["0"]!["km2_client"]!["peer_info"]!.GetValue<string>();
        var p = PeerInfo.Parse(text);
        Assert.Equal("2.6.14", p.Version);
        Assert.Equal(990, p.Proto);
        Assert.Equal(ncp, p.Ncp);
        Assert.Equal(ciphers.Split(':'), p.Ciphers);
        Assert.Equal(1600, p.Mtu);
        Assert.True(p.CompStubV2);
    }
}
