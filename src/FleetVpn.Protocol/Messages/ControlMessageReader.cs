using System.Text;

namespace FleetVpn.Protocol.Messages;

/// <summary>
/// Splits the TLS plaintext after key-method 2 into NUL-terminated text commands
/// (<c>extract_command_buffer()</c>): trailing CR/LF stripped, empty commands skipped.
/// </summary>
public sealed class ControlMessageReader
{
    public const int MaxMessageLength = 4096;
    private readonly List<byte> _partial = new();

    /// <summary>Adds plaintext; returns the complete commands it finished. False if a command grew past the limit.</summary>
    public bool Append(ReadOnlySpan<byte> plaintext, List<string> commands)
    {
        foreach (var b in plaintext)
        {
            if (b != 0)
            {
                if (_partial.Count >= MaxMessageLength) return false;
                _partial.Add(b);
                continue;
            }
            var text = Encoding.UTF8.GetString(_partial.ToArray()).TrimEnd('\r', '\n');
            _partial.Clear();
            if (text.Length > 0) commands.Add(text);
        }
        return true;
    }

    /// <summary>Encodes one command as OpenVPN sends it: the text and one NUL.</summary>
    public static byte[] Encode(string command)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(command) + 1];
        Encoding.UTF8.GetBytes(command, bytes);
        return bytes;
    }
}
