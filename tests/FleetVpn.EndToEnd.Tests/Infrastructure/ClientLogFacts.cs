using System.Text.RegularExpressions;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>What the openvpn 2.6 client's log says about its connection, read from its own wording.</summary>
public static partial class ClientLogFacts
{
    /// <summary>
    /// The data-channel ciphers named in the log: at verb 3 (2.6.14) "Data Channel: cipher 'X', peer-id: N"
    /// (with ", auth 'Y'" before the peer-id for a CBC cipher); at higher verbosity, or in other 2.6
    /// releases, also "Outgoing/Incoming Data Channel: Cipher 'X' initialized with N bit key".
    /// </summary>
    public static IReadOnlyList<string> DataChannelCiphers(LogCapture log) => Matches(log, DataChannelCipher());

    /// <summary>
    /// The HMAC digests of a non-AEAD data channel (CBC): at verb 3 "Data Channel: cipher 'X', auth 'Y', peer-id: N";
    /// at higher verbosity also "Outgoing/Incoming Data Channel: Using N bit message hash 'Y' for HMAC authentication".
    /// </summary>
    public static IReadOnlyList<string> DataChannelDigests(LogCapture log) => Matches(log, DataChannelDigest());

    /// <summary>
    /// The PUSH_REPLY messages the client received, as sent (from "PUSH_REPLY," on), at verb 4 or more:
    /// "PUSH: Received control message: 'PUSH_REPLY,...'".
    /// </summary>
    public static IReadOnlyList<string> PushReplies(LogCapture log) => Matches(log, ReceivedPushReply());

    private static string[] Matches(LogCapture log, Regex pattern) =>
        log.Lines.Select(l => pattern.Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToArray();

    [GeneratedRegex(@"Data Channel: Cipher '([^']+)'", RegexOptions.IgnoreCase)]
    private static partial Regex DataChannelCipher();

    [GeneratedRegex(@"Data Channel: (?:cipher '[^']+', auth|Using \d+ bit message hash) '([^']+)'", RegexOptions.IgnoreCase)]
    private static partial Regex DataChannelDigest();

    [GeneratedRegex(@"PUSH: Received control message: '(PUSH_REPLY,[^']*)'")]
    private static partial Regex ReceivedPushReply();
}
