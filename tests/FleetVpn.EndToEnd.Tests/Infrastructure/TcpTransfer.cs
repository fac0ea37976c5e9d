using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Moves random bytes over one TCP connection through the tunnel and hashes both ends: a listener
/// in one namespace on a tunnel address, a sender in another whose only way there is the tunnel.
/// Bounded by the byte count and a time limit.
/// </summary>
public static class TcpTransfer
{
    /// <summary>What arrived: byte count, SHA-256 of what was sent and of what arrived, and how long it took.</summary>
    public sealed record Result(int Sent, long Received, string SentHash, string ReceivedHash, TimeSpan Elapsed)
    {
        public bool Intact => Received == Sent && SentHash == ReceivedHash;

        public override string ToString() =>
            $"{Received} of {Sent} bytes in {Elapsed.TotalSeconds:0.00} s ({Received / Math.Max(Elapsed.TotalSeconds, 1e-3) / 1e6:0.0} MB/s), "
            + $"SHA-256 sent {SentHash[..16]}…, received {ReceivedHash[..16]}…";
    }

    /// <summary>
    /// Listens on <paramref name="listenAddress"/>:<paramref name="port"/> in <paramref name="receiverNs"/>,
    /// connects from <paramref name="senderNs"/> and sends <paramref name="size"/> random bytes.
    /// </summary>
    public static async Task<Result> RunAsync(string senderNs, string receiverNs, string listenAddress, int port, int size, TimeSpan timeout)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var expected = Convert.ToHexString(SHA256.HashData(data));
        var target = new IPEndPoint(IPAddress.Parse(listenAddress), port);

        using var cts = new CancellationTokenSource(timeout);
        using var listener = NamespaceSockets.Tcp(receiverNs);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(target);
        listener.Listen(1);
        var receiving = ReceiveAndHashAsync(listener, cts.Token);

        var clock = Stopwatch.StartNew();
        using var sender = NamespaceSockets.Tcp(senderNs);
        await sender.ConnectAsync(target, cts.Token);
        var sent = 0;
        while (sent < size)
            sent += await sender.SendAsync(data.AsMemory(sent, Math.Min(256 * 1024, size - sent)), SocketFlags.None, cts.Token);
        sender.Shutdown(SocketShutdown.Send);
        var (received, hash) = await receiving.WaitAsync(timeout);
        return new Result(size, received, expected, hash, clock.Elapsed);
    }

    private static async Task<(long Received, string Hash)> ReceiveAndHashAsync(Socket listener, CancellationToken cancellation)
    {
        using var connection = await listener.AcceptAsync(cancellation);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[128 * 1024];
        long total = 0;
        while (true)
        {
            var n = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellation);
            if (n == 0) break;
            sha.AppendData(buffer, 0, n);
            total += n;
        }
        return (total, Convert.ToHexString(sha.GetHashAndReset()));
    }
}
