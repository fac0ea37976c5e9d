using System.Text;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Messages;
using FleetVpn.Protocol.Tests.Fixtures;

namespace FleetVpn.Protocol.Tests;

public class ControlMessageReaderTests
{
    private static readonly byte[] Stream = Encoding.ASCII.GetBytes("PUSH_REQUEST\0PUSH_REPLY,ping 10,peer-id 0\0EXIT\0");
    private static readonly string[] Expected = ["PUSH_REQUEST", "PUSH_REPLY,ping 10,peer-id 0", "EXIT"];

    [Fact]
    public void SplitsOnNulInOneChunk()
    {
        var reader = new ControlMessageReader();
        var commands = new List<string>();
        Assert.True(reader.Append(Stream, commands));
        Assert.Equal(Expected, commands);
    }

    [Fact]
    public void SplitsOnNulAcrossEveryTwoChunkBoundary()
    {
        for (int cut = 0; cut <= Stream.Length; cut++)
        {
            var reader = new ControlMessageReader();
            var commands = new List<string>();
            Assert.True(reader.Append(Stream.AsSpan(0, cut), commands));
            int afterFirst = commands.Count;
            Assert.Equal(Expected.Take(afterFirst), commands);
            Assert.True(reader.Append(Stream.AsSpan(cut), commands));
            Assert.Equal(Expected, commands);
        }
    }

    [Fact]
    public void SplitsOnNulByteByByte()
    {
        var reader = new ControlMessageReader();
        var commands = new List<string>();
        foreach (var b in Stream) Assert.True(reader.Append([b], commands));
        Assert.Equal(Expected, commands);
    }

    [Fact]
    public void IncompleteCommandWaitsForItsNul()
    {
        var reader = new ControlMessageReader();
        var commands = new List<string>();
        Assert.True(reader.Append("AUTH_FAI"u8, commands));
        Assert.Empty(commands);
        Assert.True(reader.Append("LED,bad password"u8, commands));
        Assert.Empty(commands);
        Assert.True(reader.Append("\0"u8, commands));
        Assert.Equal(["AUTH_FAILED,bad password"], commands);
    }

    [Fact]
    public void StripsTrailingCrLfAndSkipsEmptyCommands()
    {
        var reader = new ControlMessageReader();
        var commands = new List<string>();
        Assert.True(reader.Append("\0\0PUSH_REQUEST\r\n\0\r\n\0HALT\n\0"u8, commands));
        Assert.Equal(["PUSH_REQUEST", "HALT"], commands);
    }

    [Fact]
    public void CommandLongerThanTheLimitIsRefused()
    {
        var reader = new ControlMessageReader();
        var commands = new List<string>();
        var atLimit = Enumerable.Repeat((byte)'a', ControlMessageReader.MaxMessageLength).ToArray();
        Assert.True(reader.Append(atLimit, commands));
        Assert.True(reader.Append("\0"u8, commands));
        Assert.Equal(ControlMessageReader.MaxMessageLength, Assert.Single(commands).Length);

        var reader2 = new ControlMessageReader();
        Assert.False(reader2.Append([.. atLimit, (byte)'a'], new List<string>()));
    }

    [Fact]
    public void EncodeAppendsOneNul()
    {
        Assert.Equal("EXIT\0"u8.ToArray(), ControlMessageReader.Encode("EXIT"));
        Assert.Equal([0], ControlMessageReader.Encode(""));
    }

    [Fact]
    public void EncodeThenReadRoundTrips()
    {
        var reader = new ControlMessageReader();
        var commands = new List<string>();
        var all = new[] { "PUSH_REPLY,route-gateway 10.8.0.1,ping 10", "RESTART,[N]", "INFO,ü" };
        foreach (var c in all) Assert.True(reader.Append(ControlMessageReader.Encode(c), commands));
        Assert.Equal(all, commands);
    }

    /// <summary>The real TLS plaintext after the key-method-2 messages, split at every chunk boundary.</summary>
    [Theory]
    [InlineData("no-wrap-cbc", 0, true)]
    [InlineData("no-wrap-cbc", 0, false)]
    [InlineData("legacy-prf-gcm", 32, true)]
    [InlineData("legacy-prf-gcm", 32, false)]
    [InlineData("tls-auth", 20, true)]
    [InlineData("tls-auth", 20, false)]
    public void ReadsTheCapturedControlMessages(string fixture, int tlsAuthHmacLength, bool fromClient)
    {
        var session = new CapturedSession(fixture, tlsAuthHmacLength);
        var plaintext = session.TlsPlaintext(fromClient);
        Assert.Equal(KeyMethod2Message.ParseStatus.Complete, KeyMethod2Message.TryParse(plaintext, fromClient, out _, out int consumed));
        var rest = plaintext[consumed..];
        var expected = session.Tls(0)["control_messages"]![fromClient ? "C->S" : "S->C"]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();
        Assert.NotEmpty(expected);

        for (int cut = 0; cut <= rest.Length; cut++)
        {
            var reader = new ControlMessageReader();
            var commands = new List<string>();
            Assert.True(reader.Append(rest.AsSpan(0, cut), commands));
            Assert.True(reader.Append(rest.AsSpan(cut), commands));
            Assert.Equal(expected, commands);
        }
    }
}
