using FleetVpn.Swarm;

namespace FleetVpn.Swarm.Tests;

public class PeerInfoTests
{
    [Fact]
    public void Announces_a_26_client_without_tls_key_export_nor_dyn_tls_crypt()
    {
        var text = SimulatedClient.PeerInfoText(["AES-256-GCM", "CHACHA20-POLY1305"]);
        Assert.Equal("IV_VER=2.6.14\nIV_PLAT=linux\nIV_TCPNL=1\nIV_MTU=1600\nIV_NCP=2\nIV_CIPHERS=AES-256-GCM:CHACHA20-POLY1305\nIV_PROTO=470\n", text);
        Assert.Equal(0, SimulatedClient.IvProto & 8);
        Assert.Equal(0, SimulatedClient.IvProto & 512);
        Assert.Equal(2 | 4 | 16 | 64 | 128 | 256, SimulatedClient.IvProto);
    }
}
