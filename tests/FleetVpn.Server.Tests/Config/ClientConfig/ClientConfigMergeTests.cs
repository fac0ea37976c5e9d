using FleetVpn.Server.Config;

namespace FleetVpn.Server.Tests.Config;

/// <summary>A client-connect script's dynamic config file applied on top of the client's ccd file.</summary>
public sealed class ClientConfigMergeTests
{
    private static ClientConfig Parse(string text, string name) => ClientConfigFile.ParseText(text, name);

    [Fact]
    public void The_later_ifconfig_push_wins_and_pushes_and_iroutes_add_up()
    {
        var ccd = Parse("ifconfig-push 10.8.0.50 255.255.255.0\npush \"route 192.168.1.0 255.255.255.0\"\niroute 192.168.1.0 255.255.255.0\n", "ccd");
        var dynamic = Parse("ifconfig-push 10.8.0.60 255.255.255.0\npush \"route 192.168.2.0 255.255.255.0\"\niroute 192.168.2.0 255.255.255.0\n", "dynamic");

        var merged = ccd.Then(dynamic);

        Assert.Equal("10.8.0.60", merged.IfconfigPush!.Address.ToString());
        Assert.Equal(["route 192.168.1.0 255.255.255.0", "route 192.168.2.0 255.255.255.0"], merged.Push);
        Assert.Equal(["192.168.1.0", "192.168.2.0"], merged.IRoutes.Select(r => r.Network.ToString()));
        Assert.False(merged.Disable);
    }

    [Fact]
    public void A_later_push_reset_drops_the_earlier_pushes_and_disable_in_either_refuses()
    {
        var ccd = Parse("ifconfig-push 10.8.0.50 255.255.255.0\npush \"route 192.168.1.0 255.255.255.0\"\n", "ccd");
        var dynamic = Parse("push-reset\npush \"ping 5\"\ndisable\n", "dynamic");

        var merged = ccd.Then(dynamic);

        Assert.Equal(["ping 5"], merged.Push);
        Assert.True(merged.PushReset);
        Assert.True(merged.Disable);
        Assert.Equal("10.8.0.50", merged.IfconfigPush!.Address.ToString());
    }
}
