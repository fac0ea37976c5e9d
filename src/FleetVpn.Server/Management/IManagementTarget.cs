using System.Net;
using FleetVpn.Server.Status;

namespace FleetVpn.Server.Management;

/// <summary>The running server as the management commands see it (one per run; none between a restart's two runs).</summary>
public interface IManagementTarget
{
    /// <summary>`status-version`: what a bare `status` prints.</summary>
    int DefaultStatusVersion { get; }

    /// <summary>Established clients now.</summary>
    int ClientCount { get; }

    /// <summary>Bytes received and sent over the link by the clients connected now.</summary>
    (long In, long Out) ByteTotals();

    StatusSnapshot Snapshot();

    /// <summary>Each established client's CID and bytes received and sent (`bytecount`: no address strings made).</summary>
    IEnumerable<(long ClientId, long BytesIn, long BytesOut)> ByteCounts();

    /// <summary>Disconnects every client with this common name; how many.</summary>
    int KillByCommonName(string commonName);

    /// <summary>Disconnects the clients connecting from this address; how many.</summary>
    int KillByAddress(IPEndPoint address);

    /// <summary>Sends <paramref name="message"/> (RESTART, HALT, ...) to client <paramref name="clientId"/> and disconnects it; false when there is none.</summary>
    bool KillByClientId(long clientId, string message);

    /// <summary>SIGUSR2: the status, written to the log (as OpenVPN prints its statistics).</summary>
    void LogStatus();
}
