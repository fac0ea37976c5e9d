namespace FleetVpn.Server.Metrics.Dashboard;

/// <summary>One client as the dashboard's table and top talkers show it.</summary>
public sealed record ClientRow(string CommonName, string RealAddress, string VirtualAddress, string State,
    long BytesReceived, long BytesSent, DateTime ConnectedSince, int Worker)
{
    public long TotalBytes => BytesReceived + BytesSent;

    /// <summary>True when the name, either address or the state contains <paramref name="search"/> (any case).</summary>
    public bool Matches(string search) =>
        CommonName.Contains(search, StringComparison.OrdinalIgnoreCase)
        || RealAddress.Contains(search, StringComparison.OrdinalIgnoreCase)
        || VirtualAddress.Contains(search, StringComparison.OrdinalIgnoreCase)
        || State.Contains(search, StringComparison.OrdinalIgnoreCase);
}
