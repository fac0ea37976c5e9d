using System.Net;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Protocol.Tests;

public class SessionCookieTests
{
    private static readonly byte[] Secret = Enumerable.Range(0, 32).Select(i => (byte)(i + 100)).ToArray();
    private static readonly IPEndPoint Client = new(IPAddress.Parse("10.77.0.2"), 38445);
    private static readonly SessionId ClientSid = new(0xdc65f8e515abb08e);
    private const long SlotSeconds = 30; // hand-window 60 → (60 + 1) / 2
    private const long SlotStart = 1795667100; // a multiple of 30 (fixture date)

    [Fact]
    public void SameInputsGiveTheSameCookieWithinASlot()
    {
        var cookie = new SessionCookie(60, Secret);
        var first = cookie.Compute(Client, ClientSid, SlotStart);
        for (long t = SlotStart; t < SlotStart + SlotSeconds; t++)
            Assert.Equal(first, cookie.Compute(Client, ClientSid, t));
        Assert.NotEqual(first, cookie.Compute(Client, ClientSid, SlotStart + SlotSeconds));
        Assert.NotEqual(first, cookie.Compute(Client, ClientSid, SlotStart - 1));
        // Deterministic for a given secret: another instance (e.g. another worker) computes the same value.
        Assert.Equal(first, new SessionCookie(60, (byte[])Secret.Clone()).Compute(Client, ClientSid, SlotStart + 7));
    }

    [Fact]
    public void The_address_bytes_overloads_agree_with_the_endpoint_ones_and_verify_allocates_nothing()
    {
        var cookie = new SessionCookie(60, Secret);
        byte[] address = Client.Address.GetAddressBytes();
        var value = cookie.Compute(address, Client.Port, ClientSid, SlotStart);
        Assert.Equal(cookie.Compute(Client, ClientSid, SlotStart), value);
        Assert.True(cookie.Verify(address, Client.Port, ClientSid, value, SlotStart + 5));
        Assert.False(cookie.Verify(address, Client.Port + 1, ClientSid, value, SlotStart + 5));

        var forged = new SessionId(0x0123456789abcdef);
        cookie.Verify(address, Client.Port, ClientSid, forged, SlotStart); // warm-up (first-call allocations)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Assert.False(cookie.Verify(address, Client.Port, ClientSid, forged, SlotStart));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(-2, true)]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(-3, false)]
    [InlineData(-10, false)]
    [InlineData(2, false)]
    public void VerifyAcceptsSlotsMinusTwoToPlusOne(int cookieSlotOffset, bool accepted)
    {
        var cookie = new SessionCookie(60, Secret);
        long now = SlotStart + 12;
        var value = cookie.Compute(Client, ClientSid, now + cookieSlotOffset * SlotSeconds);
        Assert.Equal(accepted, cookie.Verify(Client, ClientSid, value, now));
    }

    [Fact]
    public void CookieAgesOutAfterAboutSixtyToNinetySeconds()
    {
        var cookie = new SessionCookie(60, Secret);
        var value = cookie.Compute(Client, ClientSid, SlotStart);
        Assert.True(cookie.Verify(Client, ClientSid, value, SlotStart + 89));
        Assert.False(cookie.Verify(Client, ClientSid, value, SlotStart + 90));
    }

    [Fact]
    public void DifferentEndpointOrClientSessionGivesADifferentCookie()
    {
        var cookie = new SessionCookie(60, Secret);
        var reference = cookie.Compute(Client, ClientSid, SlotStart);
        var otherPort = new IPEndPoint(Client.Address, Client.Port + 1);
        var otherAddress = new IPEndPoint(IPAddress.Parse("10.77.0.3"), Client.Port);
        var ipv6 = new IPEndPoint(IPAddress.Parse("fd00::2"), Client.Port);
        var otherSid = new SessionId(ClientSid.Value ^ 1);

        Assert.NotEqual(reference, cookie.Compute(otherPort, ClientSid, SlotStart));
        Assert.NotEqual(reference, cookie.Compute(otherAddress, ClientSid, SlotStart));
        Assert.NotEqual(reference, cookie.Compute(ipv6, ClientSid, SlotStart));
        Assert.NotEqual(reference, cookie.Compute(Client, otherSid, SlotStart));
        Assert.NotEqual(reference, new SessionCookie(60, new byte[32]).Compute(Client, ClientSid, SlotStart));

        Assert.False(cookie.Verify(otherPort, ClientSid, reference, SlotStart));
        Assert.False(cookie.Verify(otherAddress, ClientSid, reference, SlotStart));
        Assert.False(cookie.Verify(Client, otherSid, reference, SlotStart));
        Assert.True(cookie.Verify(Client, ClientSid, reference, SlotStart));
    }

    [Fact]
    public void WrongCookieIsRejected()
    {
        var cookie = new SessionCookie(60, Secret);
        var value = cookie.Compute(Client, ClientSid, SlotStart);
        Assert.False(cookie.Verify(Client, ClientSid, new SessionId(value.Value ^ 0x8000000000000000), SlotStart));
        Assert.False(cookie.Verify(Client, ClientSid, default, SlotStart));
    }

    [Fact]
    public void RandomSecretsDiffer()
    {
        var a = new SessionCookie(60).Compute(Client, ClientSid, SlotStart);
        var b = new SessionCookie(60).Compute(Client, ClientSid, SlotStart);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void NeverAllZero()
    {
        var cookie = new SessionCookie(60, Secret);
        var random = new Random(5);
        var seen = new HashSet<ulong>();
        for (int i = 0; i < 10_000; i++)
        {
            var endpoint = new IPEndPoint(new IPAddress(random.NextInt64(0, 0xFFFFFFFF)), random.Next(1, 65536));
            var sid = new SessionId((ulong)random.NextInt64());
            var value = cookie.Compute(endpoint, sid, random.NextInt64(0, 4_000_000_000));
            Assert.True(value.IsValid);
            seen.Add(value.Value);
        }
        Assert.True(seen.Count > 9_990, "cookies should look random");
    }

    [Theory]
    [InlineData(60, 30)]
    [InlineData(61, 31)]
    [InlineData(1, 1)]
    [InlineData(0, 1)]
    public void SlotLengthIsHalfTheHandWindow(int handWindow, int slotSeconds)
    {
        var cookie = new SessionCookie(handWindow, Secret);
        long start = slotSeconds * 1_000_000L;
        var value = cookie.Compute(Client, ClientSid, start);
        Assert.Equal(value, cookie.Compute(Client, ClientSid, start + slotSeconds - 1));
        Assert.NotEqual(value, cookie.Compute(Client, ClientSid, start + slotSeconds));
    }
}
