using FleetVpn.Server.Reload;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Reload;

public sealed class LiveReloadTests
{
    [Fact]
    public void Options_new_handshakes_read_take_the_reloaded_values()
    {
        var running = Parse(Minimal + "keepalive 10 60\npush \"route 192.168.1.0 255.255.255.0\"\n");
        var reloaded = Parse(Minimal + "keepalive 5 30\npush \"route 192.168.2.0 255.255.255.0\"\nverb 4\nduplicate-cn\n");

        var effective = LiveReload.Merge(running, reloaded, out var kept);

        Assert.Empty(kept);
        Assert.Equal(5, effective.KeepalivePing);
        Assert.Equal(["route 192.168.2.0 255.255.255.0"], effective.Push);
        Assert.Equal(4, effective.Verb);
        Assert.True(effective.DuplicateCn);
        Assert.Same(reloaded.ServerCertificate, effective.ServerCertificate);
    }

    [Fact]
    public void Options_the_engine_was_built_around_keep_their_running_values_and_are_named()
    {
        var running = Parse(Minimal + "port 1194\ndev tun0\nmax-clients 100\n");
        var reloaded = Parse(Minimal.Replace("10.8.0.0", "10.9.0.0") + "port 1195\ndev tun7\nmax-clients 200\n");

        var effective = LiveReload.Merge(running, reloaded, out var kept);

        Assert.Equal(1194, effective.Port);
        Assert.Equal("tun0", effective.Device);
        Assert.Equal(100, effective.MaxClients);
        Assert.Equal(running.ServerNetwork, effective.ServerNetwork);
        Assert.Equal(
            ["port 1195 (running: 1194)", "dev tun7 (running: tun0)", "server 10.9.0.0 255.255.255.0 (running: 10.8.0.0 255.255.255.0)", "max-clients 200 (running: 100)"],
            kept);
    }

    [Fact]
    public void Neither_configuration_is_changed()
    {
        var running = Parse(Minimal + "port 1194\n");
        var reloaded = Parse(Minimal + "port 1195\n");

        LiveReload.Merge(running, reloaded, out _);

        Assert.Equal(1194, running.Port);
        Assert.Equal(1195, reloaded.Port);
    }

    [Fact]
    public void The_running_control_channel_keys_stay()
    {
        var running = Parse(Minimal);
        var reloaded = Parse(Minimal);

        var effective = LiveReload.Merge(running, reloaded, out var kept);

        Assert.Same(running.ControlWrapper, effective.ControlWrapper);
        Assert.Empty(kept);
    }
}
