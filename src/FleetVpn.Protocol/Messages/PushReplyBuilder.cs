using System.Text;

namespace FleetVpn.Protocol.Messages;

/// <summary>
/// Builds PUSH_REPLY messages (§6.1, <c>send_push_reply()</c>): options joined by commas, each
/// message at most 1024 bytes (PUSH_BUNDLE_SIZE); when split, every part but the last ends with
/// <c>push-continuation 2</c> and the last with <c>push-continuation 1</c>.
/// </summary>
public static class PushReplyBuilder
{
    public const int MaxMessageLength = 1024;
    private const string Prefix = "PUSH_REPLY";
    private const string More = ",push-continuation 2";
    private const string Last = ",push-continuation 1";

    public static IReadOnlyList<string> Build(IEnumerable<string> options)
    {
        var all = options.ToList();
        foreach (var o in all)
            if (o.Contains(',') || o.Length + Prefix.Length + Last.Length + 1 >= MaxMessageLength)
                throw new ArgumentException($"push option cannot be sent: '{o}'");

        var single = new StringBuilder(Prefix);
        foreach (var o in all) single.Append(',').Append(o);
        if (single.Length < MaxMessageLength) return [single.ToString()];

        var messages = new List<string>();
        var current = new StringBuilder(Prefix);
        foreach (var o in all)
        {
            if (current.Length + 1 + o.Length + More.Length >= MaxMessageLength)
            {
                messages.Add(current.Append(More).ToString());
                current = new StringBuilder(Prefix);
            }
            current.Append(',').Append(o);
        }
        messages.Add(current.Append(Last).ToString());
        return messages;
    }
}
