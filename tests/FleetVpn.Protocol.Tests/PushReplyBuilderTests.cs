using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Tests.Fixtures;

namespace FleetVpn.Protocol.Tests;

public class PushReplyBuilderTests
{
    private const string Captured =
        "PUSH_REPLY,route-gateway 10.8.0.1,topology subnet,ping 10,ping-restart 60,ifconfig 10.8.0.2 255.255.255.0," +
        "peer-id 0,cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500";

    [Fact]
    public void SingleMessageEqualsTheCaptured26Reply()
    {
        var parts = PushReplyBuilder.Build(
        [
            "route-gateway 10.8.0.1", "topology subnet", "ping 10", "ping-restart 60", "ifconfig 10.8.0.2 255.255.255.0",
            "peer-id 0", "cipher AES-256-GCM", "protocol-flags cc-exit tls-ekm dyn-tls-crypt", "tun-mtu 1500",
        ]);
        var only = Assert.Single(parts);
        Assert.Equal(Captured, only);
        // And it is byte-identical to what the real server sent in the tls-crypt fixture.
        var real = FixtureFiles.Json("tls-crypt", "decoded.json")["tls"]!["0"]!["control_messages"]!["S->C"]![0]!.GetValue<string>();
        Assert.Equal(real, only);
    }

    [Fact]
    public void EmptyListGivesBarePushReply()
    {
        Assert.Equal(["PUSH_REPLY"], PushReplyBuilder.Build([]));
    }

    [Fact]
    public void LongListSplitsWithContinuationMarkers()
    {
        var options = Enumerable.Range(0, 200).Select(i => $"route 10.{i}.0.0 255.255.0.0").ToList();

        var parts = PushReplyBuilder.Build(options);

        Assert.True(parts.Count >= 3, $"expected several parts, got {parts.Count}");
        for (int i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            Assert.StartsWith("PUSH_REPLY,", part, StringComparison.Ordinal);
            Assert.True(ControlMessageReader.Encode(part).Length <= PushReplyBuilder.MaxMessageLength,
                $"part {i} is {part.Length} characters + NUL");
            Assert.EndsWith(i < parts.Count - 1 ? ",push-continuation 2" : ",push-continuation 1", part, StringComparison.Ordinal);
            Assert.Equal(1, CountOccurrences(part, "push-continuation"));
        }
        // All options, once each, in order.
        Assert.Equal(options, Options(parts));
        // Parts are filled: no part could have taken the next part's first option.
        for (int i = 0; i < parts.Count - 1; i++)
        {
            var nextFirst = Options([parts[i + 1]])[0];
            Assert.True(parts[i].Length + 1 + nextFirst.Length + 1 > PushReplyBuilder.MaxMessageLength,
                $"part {i} ({parts[i].Length} chars) had room for '{nextFirst}'");
        }
    }

    [Fact]
    public void JustUnderTheLimitIsOneMessageJustOverSplits()
    {
        // "PUSH_REPLY" + "," + option = 1023 characters + NUL = 1024 bytes: one message.
        var fits = new string('a', 1023 - "PUSH_REPLY,".Length);
        Assert.Equal(1023, Assert.Single(PushReplyBuilder.Build([fits.Substring(0, 500), fits.Substring(501)])).Length);

        var parts = PushReplyBuilder.Build([new string('b', 500), new string('c', 513)]);
        Assert.Equal(2, parts.Count);
        Assert.Equal(new string('b', 500), Options([parts[0]])[0]);
        Assert.Equal(new string('c', 513), Options([parts[1]])[0]);
    }

    [Fact]
    public void LongestAcceptedOptionStillFitsWhenSplit()
    {
        // The longest option the builder accepts must fit in a part of its own together with the
        // continuation marker, and no part may be empty.
        int longest = Enumerable.Range(900, 200).Last(n =>
        {
            try { PushReplyBuilder.Build([new string('x', n)]); return true; }
            catch (ArgumentException) { return false; }
        });
        var options = new List<string> { "ping 10", new string('x', longest), "ping-restart 60", new string('y', longest), "tun-mtu 1500" };

        var parts = PushReplyBuilder.Build(options);

        foreach (var part in parts)
        {
            Assert.True(part.Length + 1 <= PushReplyBuilder.MaxMessageLength, $"{part.Length} characters + NUL");
            Assert.NotEmpty(Options([part]));
        }
        Assert.Equal(options, Options(parts));
    }

    [Fact]
    public void RejectsOptionsWithCommasOrTooLong()
    {
        Assert.Throws<ArgumentException>(() => PushReplyBuilder.Build(["route 10.0.0.0,255.0.0.0"]));
        Assert.Throws<ArgumentException>(() => PushReplyBuilder.Build([new string('z', 1024)]));
    }

    private static List<string> Options(IEnumerable<string> parts) =>
        parts.SelectMany(p => p.Split(',').Skip(1)).Where(o => !o.StartsWith("push-continuation ", StringComparison.Ordinal)).ToList();

    private static int CountOccurrences(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
