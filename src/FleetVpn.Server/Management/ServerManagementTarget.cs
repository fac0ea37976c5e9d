using System.Net;
using FleetVpn.Server.Sessions;
using FleetVpn.Server.Status;

namespace FleetVpn.Server.Management;

/// <summary>
/// The management commands' view of one server run. A client's CID is its peer-id: unique among the connected
/// clients and stable for the session's life (it may be given to a later client once this one is gone, unlike
/// OpenVPN's ever-growing counter). Killing a client goes the way every other disconnect does
/// (<see cref="ClientSession.Close"/>); the client is first told over its control channel when it still has one
/// (RESTART, or the client-kill message), as OpenVPN's client-kill does, so it reconnects at once.
/// </summary>
public sealed class ServerManagementTarget(ServerContext server) : IManagementTarget
{
    public int DefaultStatusVersion => server.Options.StatusVersion;

    public int ClientCount => server.Sessions.Count;

    public (long In, long Out) ByteTotals()
    {
        long bytesIn = 0, bytesOut = 0;
        foreach (var session in server.Sessions.All)
        {
            bytesIn += Interlocked.Read(ref session.BytesReceived);
            bytesOut += Interlocked.Read(ref session.BytesSent);
        }
        return (bytesIn, bytesOut);
    }

    public StatusSnapshot Snapshot() => new StatusSnapshot().Capture(server.Sessions);

    public IEnumerable<(long ClientId, long BytesIn, long BytesOut)> ByteCounts()
    {
        var sessions = server.Sessions;
        for (int peerId = 0; peerId < sessions.PeerIdCapacity; peerId++)
        {
            if (sessions.ByPeerId(peerId) is { State: SessionState.Established } session)
                yield return (peerId, Interlocked.Read(ref session.BytesReceived), Interlocked.Read(ref session.BytesSent));
        }
    }

    public int KillByCommonName(string commonName) =>
        Kill(server.Sessions.All.Where(s => s.State != SessionState.Closed && s.CommonName == commonName).ToList(), "RESTART", $"kill {commonName}");

    public int KillByAddress(IPEndPoint address) =>
        Kill(server.Sessions.All.Where(s => s.State != SessionState.Closed && SameAddress(s.RemoteEndPoint, address)).ToList(), "RESTART", $"kill {address}");

    public bool KillByClientId(long clientId, string message)
    {
        if (clientId is < 0 or > int.MaxValue || server.Sessions.ByPeerId((int)clientId) is not { State: SessionState.Established } session) return false;
        return Kill([session], message, $"client-kill {clientId} {message}") == 1;
    }

    public void LogStatus()
    {
        var text = new StringWriter { NewLine = "\n" };
        StatusRenderer.Render(Snapshot(), server.Options.StatusVersion, text);
        foreach (var line in text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)) server.Log.Info(line, "sigusr2-status");
    }

    private int Kill(IReadOnlyList<ClientSession> sessions, string message, string command)
    {
        foreach (var session in sessions) _ = KillAsync(session, message, command);
        return sessions.Count;
    }

    private async Task KillAsync(ClientSession session, string message, string command)
    {
        // Logged at once: a client told RESTART may be back (replacing this session) before the acknowledgement wait ends.
        server.Log.Info($"{session.Name} killed by the management interface ({command}), sending {message}", "management-kill");
        await SessionEviction.EvictAsync(session, message, $"killed by the management interface ({command})").ConfigureAwait(false);
    }

    private static bool SameAddress(IPEndPoint remote, IPEndPoint wanted)
    {
        var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        return remote.Port == wanted.Port && address.Equals(wanted.Address);
    }
}
