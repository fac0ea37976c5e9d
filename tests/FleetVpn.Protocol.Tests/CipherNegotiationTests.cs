using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Tests.Fixtures;

namespace FleetVpn.Protocol.Tests;

public class CipherNegotiationTests
{
    private static readonly string[] Default26 = ["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"];

    private static PeerInfo Peer(string lines) => PeerInfo.Parse(lines.Replace(';', '\n'));

    [Fact]
    public void ServerOrderDecides()
    {
        var peer = Peer("IV_CIPHERS=CHACHA20-POLY1305:AES-128-GCM:AES-256-GCM;IV_NCP=2");
        Assert.Same(DataCipher.Aes256Gcm, CipherNegotiation.Choose(Default26, peer, null));
        Assert.Same(DataCipher.ChaCha20Poly1305, CipherNegotiation.Choose(["CHACHA20-POLY1305", "AES-256-GCM"], peer, null));
        Assert.Same(DataCipher.Aes128Gcm, CipherNegotiation.Choose(["AES-128-GCM", "AES-256-GCM"], peer, null));
    }

    [Fact]
    public void OnlyChaChaOfferedGivesChaCha()
    {
        var peer = Peer("IV_CIPHERS=CHACHA20-POLY1305;IV_NCP=2");
        Assert.Same(DataCipher.ChaCha20Poly1305, CipherNegotiation.Choose(Default26, peer, null));
    }

    [Fact]
    public void NoSharedCipherGivesNull()
    {
        Assert.Null(CipherNegotiation.Choose(["AES-256-GCM", "AES-128-GCM"], Peer("IV_CIPHERS=CHACHA20-POLY1305"), null));
        Assert.Null(CipherNegotiation.Choose(Default26, Peer("IV_CIPHERS=BF-CBC:AES-256-CBC"), null));
        Assert.Null(CipherNegotiation.Choose(Default26, Peer("IV_VER=2.3.18"), null)); // nothing usable at all
        Assert.Null(CipherNegotiation.Choose([], Peer("IV_CIPHERS=AES-256-GCM"), null));
    }

    [Fact]
    public void NcpTwoWithoutCiphersMeansTheTwoGcmCiphers()
    {
        var peer = Peer("IV_VER=2.4.12;IV_NCP=2;IV_PROTO=2");
        Assert.Null(peer.Ciphers);
        Assert.Same(DataCipher.Aes256Gcm, CipherNegotiation.Choose(Default26, peer, null));
        Assert.Same(DataCipher.Aes128Gcm, CipherNegotiation.Choose(["AES-128-GCM", "AES-256-GCM"], peer, null));
        Assert.Null(CipherNegotiation.Choose(["CHACHA20-POLY1305"], peer, null)); // not implied by IV_NCP=2
        Assert.Null(CipherNegotiation.Choose(Default26, Peer("IV_NCP=1"), null));
    }

    [Fact]
    public void OptionsCipherCountsOnlyWithoutIvCiphers()
    {
        // A 2.3-style client: no IV_CIPHERS, no IV_NCP, `cipher AES-128-GCM` in its options string.
        Assert.Same(DataCipher.Aes128Gcm, CipherNegotiation.Choose(Default26, Peer("IV_VER=2.3.18"), "AES-128-GCM"));
        // IV_NCP=2 plus an options cipher: both count, server order decides.
        Assert.Same(DataCipher.Aes256Gcm, CipherNegotiation.Choose(Default26, Peer("IV_NCP=2"), "CHACHA20-POLY1305"));
        Assert.Same(DataCipher.ChaCha20Poly1305, CipherNegotiation.Choose(["CHACHA20-POLY1305"], Peer("IV_NCP=2"), "CHACHA20-POLY1305"));
        // With IV_CIPHERS the options cipher is ignored.
        Assert.Null(CipherNegotiation.Choose(["AES-128-GCM"], Peer("IV_CIPHERS=CHACHA20-POLY1305"), "AES-128-GCM"));
        Assert.Same(DataCipher.ChaCha20Poly1305, CipherNegotiation.Choose(Default26, Peer("IV_CIPHERS=CHACHA20-POLY1305"), "AES-256-GCM"));
    }

    [Fact]
    public void NamesAreCaseInsensitive()
    {
        Assert.Same(DataCipher.Aes256Gcm, CipherNegotiation.Choose(["aes-256-gcm"], Peer("IV_CIPHERS=AES-256-GCM"), null));
        Assert.Same(DataCipher.Aes128Gcm, CipherNegotiation.Choose(["AES-128-GCM"], Peer("IV_VER=2.3"), "aes-128-gcm"));
    }

    [Fact]
    public void UnsupportedServerCipherIsSkipped()
    {
        // BF-CBC has no implementation: an entry for it in the server list cannot be chosen.
        var peer = Peer("IV_CIPHERS=BF-CBC:AES-256-GCM");
        Assert.Same(DataCipher.Aes256Gcm, CipherNegotiation.Choose(["BF-CBC", "AES-256-GCM"], peer, null));
    }

    [Fact]
    public void CbcIsChosenWhenServerListsItFirstAndClientOffersIt()
    {
        var peer = Peer("IV_CIPHERS=AES-256-CBC:AES-256-GCM");
        Assert.Same(DataCipher.Aes256Cbc, CipherNegotiation.Choose(["AES-256-CBC", "AES-256-GCM"], peer, null));
    }

    [Fact]
    public void FallbackOnlyForClientsWithoutAList()
    {
        // A 2.3-style client: no IV_NCP, no IV_CIPHERS, its own cipher not in the server list.
        Assert.Same(DataCipher.Aes128Cbc, CipherNegotiation.Choose(["AES-256-GCM"], Peer("IV_VER=2.3.18"), "AES-128-CBC", "AES-128-CBC"));
        Assert.Null(CipherNegotiation.Choose(["AES-256-GCM"], Peer("IV_VER=2.3.18"), "AES-128-CBC", null));
        // A client that sent a list never falls back.
        Assert.Null(CipherNegotiation.Choose(["AES-256-GCM"], Peer("IV_CIPHERS=AES-128-CBC"), null, "AES-128-CBC"));
    }

    /// <summary>tls-auth fixture: server default list, client IV_CIPHERS=CHACHA20-POLY1305 → the real server pushed CHACHA20-POLY1305.</summary>
    [Fact]
    public void TlsAuthFixtureCase()
    {
        var tls = FixtureFiles.Json("tls-auth", "decoded.json")["tls"]!["0"]!;
        var km2 = tls["km2_client"]!;
        var peer = PeerInfo.Parse(km2["peer_info"]!.GetValue<string>());
        var options = OptionsString.Parse(km2["options"]!.GetValue<string>());
        Assert.Equal(["CHACHA20-POLY1305"], peer.Ciphers);

        var chosen = CipherNegotiation.Choose(Default26, peer, options.Cipher);

        Assert.Same(DataCipher.ChaCha20Poly1305, chosen);
        var pushReply = tls["control_messages"]!["S->C"]![0]!.GetValue<string>();
        Assert.Contains($",cipher {chosen!.Name},", pushReply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tls-crypt", "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305", "AES-256-GCM")]
    [InlineData("compress-migrate", "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305", "AES-256-GCM")]
    [InlineData("legacy-prf-gcm", "AES-256-GCM", "AES-256-GCM")]
    public void AgreesWithTheRealServerOnOtherFixtures(string fixture, string serverList, string expected)
    {
        var km2 = FixtureFiles.Json(fixture, "decoded.json")["tls"]!["0"]!["km2_client"]!;
        var peer = PeerInfo.Parse(km2["peer_info"]!.GetValue<string>());
        var options = OptionsString.Parse(km2["options"]!.GetValue<string>());
        Assert.Equal(expected, CipherNegotiation.Choose(serverList.Split(':'), peer, options.Cipher)?.Name);
    }
}
