using System.Security.Cryptography;
using FleetVpn.Protocol.Wrapping;
using FleetVpn.Server.Sessions;

namespace FleetVpn.Server.Tests.Sessions;

/// <summary>What a tls-crypt-v2 session keeps of its client key: 128 bytes in one small object, and a wrapper only on demand.</summary>
public sealed class TlsCryptV2SessionKeyTests
{
    private static readonly StaticKey Kc = new(RandomNumberGenerator.GetBytes(StaticKey.Size));

    [Fact]
    public void The_wrapper_talks_to_a_client_wrapper_of_the_same_Kc_and_comes_back_after_a_release()
    {
        var key = new TlsCryptV2SessionKey(TlsCryptWrapper.CompactKey(Kc, isServer: true));
        using var client = new TlsCryptWrapper(Kc, isServer: false);
        Assert.False(key.HasWrapper);

        Assert.True(RoundTrips(client, key.Wrapper), "client to server");
        Assert.True(RoundTrips(key.Wrapper, client), "server to client");
        Assert.True(key.HasWrapper);

        key.ReleaseWrapper();
        Assert.False(key.HasWrapper);
        Assert.True(RoundTrips(client, key.Wrapper), "after the release");

        key.Clear();
        Assert.False(RoundTrips(client, key.Wrapper), "the key was wiped");
    }

    [Fact]
    public void An_idle_session_key_is_one_object_of_at_most_160_bytes()
    {
        var compact = TlsCryptWrapper.CompactKey(Kc, isServer: true);
        _ = new TlsCryptV2SessionKey(compact); // JIT and type loading out of the measurement
        long before = GC.GetAllocatedBytesForCurrentThread();
        var key = new TlsCryptV2SessionKey(compact);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(key);
        Assert.InRange(allocated, TlsCryptWrapper.CompactKeySize, 160);
    }

    private static bool RoundTrips(IControlWrapper sender, IControlWrapper receiver)
    {
        byte[] packet = [4 << 3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 1, 0xAA, 0xBB];
        var wrapped = new byte[packet.Length + sender.Overhead];
        int length = sender.Wrap(packet, 7, 1_800_000_000, wrapped);
        var unwrapped = new byte[length];
        return receiver.TryUnwrap(wrapped.AsSpan(0, length), unwrapped, out int plainLength, out uint id, out _)
            && unwrapped.AsSpan(0, plainLength).SequenceEqual(packet) && id == 7;
    }
}
