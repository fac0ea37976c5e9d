using System.Globalization;

namespace FleetVpn.Server.Diagnostics;

/// <summary>
/// A UDP socket's queue as the kernel lists it in /proc/net/udp and /proc/net/udp6: the bytes waiting to be read
/// (rx_queue) and the datagrams it dropped because that queue was full (drops). Found by the socket's inode,
/// which /proc/self/fd/N names, so each worker's socket is told apart although all share the port.
/// </summary>
public readonly record struct UdpSocketQueues(long ReceiveQueueBytes, long Drops)
{
    /// <summary>Every UDP socket of the namespace by inode.</summary>
    public static Dictionary<long, UdpSocketQueues> ReadAll(SystemFiles files)
    {
        var sockets = new Dictionary<long, UdpSocketQueues>();
        foreach (var table in (string[])["/proc/net/udp", "/proc/net/udp6"])
        {
            var text = files.ReadText(table);
            if (text is null) continue;
            foreach (var line in text.Split('\n').Skip(1))
            {
                // sl local rem st tx_queue:rx_queue tr:tm retrnsmt uid timeout inode ref pointer drops
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 13) continue;
                var queues = fields[4].Split(':');
                if (queues.Length != 2
                    || !long.TryParse(queues[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long rx)
                    || !long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out long inode)
                    || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out long drops)) continue;
                sockets[inode] = new UdpSocketQueues(rx, drops);
            }
        }
        return sockets;
    }

    /// <summary>The inode of this process's socket descriptor <paramref name="fd"/> ("socket:[12345]"), or null.</summary>
    public static long? InodeOf(int fd)
    {
        try
        {
            var target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            if (target is null || !target.StartsWith("socket:[", StringComparison.Ordinal) || !target.EndsWith(']')) return null;
            return long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out long inode) ? inode : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
