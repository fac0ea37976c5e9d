using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;

namespace FleetVpn.Cli.Benchmarks;

/// <summary>
/// Single-thread throughput of a data-channel cipher through the code the server runs per packet:
/// <see cref="PacketCiphers.Create"/> → <see cref="IPacketCipher.Seal"/> / <see cref="IPacketCipher.TryOpen"/> on
/// P_DATA_V2 packets, one context per direction kept across packets (as <see cref="PacketCipherCache"/> keeps it
/// for a busy peer). Seal includes what a real send pays (the CBC IV from the system RNG, the HMAC); open
/// authenticates a real sealed packet each time, and a packet that fails to open stops the run.
/// </summary>
internal static class CryptoThroughput
{
    /// <summary>Plaintext sizes: a keepalive-sized packet, small TCP/ACK traffic, mid-size, and a full 1500-MTU tunnel packet.</summary>
    public static IReadOnlyList<int> DefaultSizes { get; } = [64, 128, 512, 1420];

    /// <summary>The AEAD ciphers OpenVPN 2.6 negotiates, and the legacy CBC one still met on old fleets.</summary>
    public static IReadOnlyList<DataCipher> DefaultCiphers { get; } =
        [DataCipher.Aes256Gcm, DataCipher.Aes128Gcm, DataCipher.ChaCha20Poly1305, DataCipher.Aes256Cbc];

    /// <summary>The HMAC measured with CBC ciphers (what a hardened <c>auth</c> line sets).</summary>
    public static HmacDigest CbcDigest => HmacDigest.Sha256;

    /// <summary>Largest plaintext accepted: a jumbo tunnel MTU.</summary>
    public const int MaxPlaintextBytes = 9000;

    private const int HeaderLength = DataPacketHeader.V2Size;

    // Packets per clock read: keeps Stopwatch out of the figure for small packets, while a batch stays
    // far below a millisecond even for CBC at the largest size.
    private const int Batch = 16;

    /// <summary>Untimed start-up run before the first measurement, shared by all ciphers.</summary>
    public static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(0.3);

    /// <summary>
    /// Runs each cipher's seal and open loops untimed for a share of <paramref name="total"/>, so that the first
    /// measurement does not run in tier-0 code: the JIT only starts promoting hot methods after 100 ms without new
    /// tier-0 compilations, longer than a short measurement's own warm-up.
    /// </summary>
    public static void WarmUp(IReadOnlyCollection<DataCipher> ciphers, TimeSpan total)
    {
        ArgumentNullException.ThrowIfNull(ciphers);
        if (ciphers.Count == 0) return;
        var share = total / ciphers.Count / 2.2; // Measure runs seal and open, each with a tenth more of warm-up.
        foreach (var cipher in ciphers) Measure(cipher, DefaultSizes[0], share);
    }

    /// <summary>
    /// Seals for <paramref name="duration"/>, then opens for <paramref name="duration"/>, each after an untimed
    /// warm-up of a tenth of it (tiered JIT, OpenSSL's first-use set-up).
    /// </summary>
    public static CryptoThroughputResult Measure(DataCipher cipher, int plaintextBytes, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentOutOfRangeException.ThrowIfLessThan(plaintextBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintextBytes, MaxPlaintextBytes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);

        // Random keys: the rates do not depend on them, and no fixed key can be mistaken for a real one.
        var keys = new KeyMaterial(RandomNumberGenerator.GetBytes(KeyMaterial.Size));
        // The receiver opens with the slot the sender seals with (client→server here).
        using var sealer = PacketCiphers.Create(cipher, CbcDigest, keys, KeyMaterial.ClientToServer);
        using var opener = PacketCiphers.Create(cipher, CbcDigest, keys, KeyMaterial.ClientToServer);

        var plaintext = RandomNumberGenerator.GetBytes(plaintextBytes);
        var packet = new byte[HeaderLength + sealer.MaxOverhead + plaintextBytes];
        DataPacketHeader.WriteV2(packet, keyId: 0, peerId: 1);
        var warmUp = duration / 10;

        SealLoop(sealer, packet, plaintext, warmUp);
        var seal = SealLoop(sealer, packet, plaintext, duration);

        int length = sealer.Seal(packet, HeaderLength, 1, plaintext);
        var sealedPacket = packet.AsSpan(0, length).ToArray();
        var output = new byte[sealedPacket.Length];
        if (!opener.TryOpen(sealedPacket, HeaderLength, output, out int opened, out _) || !output.AsSpan(0, opened).SequenceEqual(plaintext))
            throw new CryptographicException($"{cipher.Name}: a sealed {plaintextBytes}-byte packet did not open to its plaintext");

        OpenLoop(opener, sealedPacket, output, warmUp, cipher);
        var open = OpenLoop(opener, sealedPacket, output, duration, cipher);

        return new CryptoThroughputResult(cipher, cipher.IsAead ? null : CbcDigest, plaintextBytes, seal, open);
    }

    // Fully optimized from the first call: the loop itself must not run as tier-0 code during the measurement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static CryptoRate SealLoop(IPacketCipher cipher, byte[] packet, byte[] plaintext, TimeSpan duration)
    {
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long packets = 0;
        uint packetId = 1;
        long now;
        do
        {
            for (int i = 0; i < Batch; i++) cipher.Seal(packet, HeaderLength, packetId++, plaintext);
            packets += Batch;
        }
        while ((now = Stopwatch.GetTimestamp()) < end);
        return new CryptoRate(packets, (now - start) / (double)Stopwatch.Frequency, plaintext.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static CryptoRate OpenLoop(IPacketCipher cipher, byte[] packet, byte[] output, TimeSpan duration, DataCipher name)
    {
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long packets = 0;
        int plaintextLength = 0;
        long now;
        do
        {
            for (int i = 0; i < Batch; i++)
            {
                // Replay is the caller's check (not measured here), so the same packet opens every time.
                if (!cipher.TryOpen(packet, HeaderLength, output, out plaintextLength, out _))
                    throw new CryptographicException($"{name.Name}: a sealed packet stopped opening");
            }
            packets += Batch;
        }
        while ((now = Stopwatch.GetTimestamp()) < end);
        return new CryptoRate(packets, (now - start) / (double)Stopwatch.Frequency, plaintextLength);
    }
}
