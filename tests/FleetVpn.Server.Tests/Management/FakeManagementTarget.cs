using System.Net;
using FleetVpn.Server.Management;
using FleetVpn.Server.Status;

namespace FleetVpn.Server.Tests.Management;

/// <summary>A server with fixed clients that records what the management commands asked of it.</summary>
internal sealed class FakeManagementTarget : IManagementTarget
{
    public static readonly DateTime Connected = new(2026, 11, 29, 6, 54, 12, DateTimeKind.Local);

    public List<StatusClientRow> Clients { get; } =
    [
        new("client1", "10.79.0.2:60476", "10.8.0.2", 3282, 3398, Connected, Connected, 0, 0, "AES-256-GCM"),
        new("client2", "10.79.0.3:40000", "10.8.0.3", 100, 200, Connected, Connected, 7, 7, "AES-128-GCM"),
    ];

    public List<string> Killed { get; } = [];
    public int StatusLogged { get; private set; }

    public int DefaultStatusVersion { get; set; } = 1;

    public int ClientCount => Clients.Count;

    public (long In, long Out) ByteTotals() => (Clients.Sum(c => c.BytesReceived), Clients.Sum(c => c.BytesSent));

    public StatusSnapshot Snapshot() => StatusSnapshot.Of(Connected, Clients);

    public IEnumerable<(long ClientId, long BytesIn, long BytesOut)> ByteCounts() =>
        Clients.Select(c => ((long)c.ClientId, c.BytesReceived, c.BytesSent));

    public int KillByCommonName(string commonName) => Kill(Clients.Where(c => c.CommonName == commonName), "RESTART");

    public int KillByAddress(IPEndPoint address) => Kill(Clients.Where(c => c.RealAddress == address.ToString()), "RESTART");

    public bool KillByClientId(long clientId, string message) => Kill(Clients.Where(c => c.ClientId == clientId), message) == 1;

    public void LogStatus() => StatusLogged++;

    private int Kill(IEnumerable<StatusClientRow> victims, string message)
    {
        var list = victims.ToList();
        foreach (var victim in list)
        {
            Killed.Add($"{victim.CommonName} {message}");
            Clients.Remove(victim);
        }
        return list.Count;
    }
}
