namespace FleetVpn.Protocol.Wrapping;

/// <summary>No control-channel wrapping (§3.6, TLS_WRAP_NONE): packets pass through unchanged; no replay id.</summary>
public sealed class NoWrapper : IControlWrapper
{
    public static NoWrapper Instance { get; } = new();

    private NoWrapper()
    {
    }

    public int Overhead => 0;

    public bool HasReplayId => false;

    /// <summary>Copies <paramref name="wrapped"/>; replay id and time are 0. False only if <paramref name="unwrapped"/> is too small.</summary>
    public bool TryUnwrap(ReadOnlySpan<byte> wrapped, Span<byte> unwrapped, out int length, out uint replayId, out uint replayTime)
    {
        replayId = replayTime = 0;
        length = 0;
        if (unwrapped.Length < wrapped.Length) return false;
        wrapped.CopyTo(unwrapped);
        length = wrapped.Length;
        return true;
    }

    public int Wrap(ReadOnlySpan<byte> unwrapped, uint replayId, uint replayTime, Span<byte> wrapped)
    {
        if (wrapped.Length < unwrapped.Length) throw new ArgumentException("wrapped buffer too small", nameof(wrapped));
        unwrapped.CopyTo(wrapped);
        return unwrapped.Length;
    }

    public void Dispose()
    {
    }
}
