namespace FleetVpn.Cli.Benchmarks;

/// <summary>One timed loop: how many packets of <paramref name="PlaintextBytes"/> went through in <paramref name="Seconds"/>.</summary>
internal readonly record struct CryptoRate(long Packets, double Seconds, int PlaintextBytes)
{
    public double PacketsPerSecond => Packets / Seconds;

    /// <summary>Plaintext throughput in 10^6 bytes per second (openssl speed counts 1000-byte "k" the same way).</summary>
    public double MegabytesPerSecond => Packets * (double)PlaintextBytes / Seconds / 1e6;
}
