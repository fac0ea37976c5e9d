namespace FleetVpn.Server.Diagnostics.Doctor;

/// <summary>
/// The kernel values a server with a given max-clients and worker count wants, and why. FleetVPN keeps no
/// descriptor per client (one UDP socket and one tun queue per worker), so the file limits do not grow with the
/// fleet; the UDP memory grows with the workers' socket buffers; connection tracking grows with the clients.
/// </summary>
public static class KernelTargets
{
    /// <summary>What each worker socket asks for both buffers without `rcvbuf`/`sndbuf` (SO_RCVBUFFORCE / SO_SNDBUFFORCE, see VpnServer).</summary>
    public const int SocketBufferBytes = VpnServer.SocketBufferBytes;

    /// <summary>Below this the server cannot open its sockets, tun queues, logs, status and ccd files.</summary>
    public static long MinimumOpenFiles(int workers) => 256 + 4L * workers;

    /// <summary>The process limit the systemd unit sets (LimitNOFILE): room for management connections and scripts.</summary>
    public const long RecommendedOpenFiles = 65536;

    /// <summary>System-wide descriptors: FleetVPN's and everything else on the machine.</summary>
    public const long RecommendedFileMax = 1048576;

    /// <summary>Under memory pressure each UDP socket keeps at least this much buffer.</summary>
    public const long RecommendedUdpBufferMin = 16384;

    /// <summary>
    /// net.ipv4.udp_mem (pages: min, pressure, max): every worker's receive and send buffers full, as the kernel
    /// counts them (twice the asked size for its bookkeeping), is the floor; twice that before pressure, four times
    /// at most, leaves room for the machine's other UDP sockets.
    /// </summary>
    public static long[] UdpMemoryPages(int workers, int receiveBufferBytes, int sendBufferBytes)
    {
        long pages = workers * 2L * ((long)receiveBufferBytes + sendBufferBytes) / Environment.SystemPageSize;
        return [pages, pages * 2, pages * 4];
    }

    /// <summary>One UDP flow per client, and as many again for the entries a NAT rebinding leaves until they time out.</summary>
    public static long ConntrackEntries(int maxClients) => 2L * maxClients;
}
