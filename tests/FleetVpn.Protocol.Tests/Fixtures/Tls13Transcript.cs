using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace FleetVpn.Protocol.Tests.Fixtures;

/// <summary>
/// Test-only TLS 1.3 record decryption with an NSS key log (SSLKEYLOGFILE), used to recover the exact
/// plaintext bytes (key-method-2 messages, control commands) that the real openvpn peers exchanged.
/// Mirrors <c>tools/ovpn_decode.py</c>: handshake keys until the Finished message, then traffic keys.
/// </summary>
internal static class Tls13Transcript
{
    /// <summary>Concatenated application-data plaintext of one direction's TLS byte stream.</summary>
    public static byte[] ApplicationData(byte[] clientStream, byte[] serverStream, bool clientToServer, string keyLogPath)
    {
        var clientRecords = SplitRecords(clientStream);
        var serverRecords = SplitRecords(serverStream);
        var clientHello = clientRecords[0];
        var serverHello = serverRecords[0];
        if (clientHello.Type != 22 || serverHello.Type != 22) throw new InvalidDataException("TLS streams do not start with a handshake");
        var clientRandom = Convert.ToHexString(clientHello.Body.AsSpan(6, 32)).ToLowerInvariant();
        int sessionIdLength = serverHello.Body[38];
        ushort suite = BinaryPrimitives.ReadUInt16BigEndian(serverHello.Body.AsSpan(39 + sessionIdLength));
        var (hash, keyLength, chacha) = suite switch
        {
            0x1301 => (HashAlgorithmName.SHA256, 16, false),
            0x1302 => (HashAlgorithmName.SHA384, 32, false),
            0x1303 => (HashAlgorithmName.SHA256, 32, true),
            _ => throw new NotSupportedException($"TLS suite 0x{suite:x4}"),
        };
        var secrets = ReadKeyLog(keyLogPath, clientRandom);
        string prefix = clientToServer ? "CLIENT" : "SERVER";
        var direction = new Direction(secrets[$"{prefix}_HANDSHAKE_TRAFFIC_SECRET"], secrets[$"{prefix}_TRAFFIC_SECRET_0"], hash, keyLength, chacha);
        var output = new List<byte>();
        foreach (var record in clientToServer ? clientRecords : serverRecords)
        {
            if (record.Type != 23) continue;
            var (innerType, content) = direction.Decrypt(record.Header, record.Body);
            if (innerType == 23) output.AddRange(content);
        }
        return output.ToArray();
    }

    private sealed record Record(byte Type, byte[] Header, byte[] Body);

    private static List<Record> SplitRecords(byte[] stream)
    {
        var records = new List<Record>();
        int pos = 0;
        while (pos + 5 <= stream.Length)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(stream.AsSpan(pos + 3));
            if (pos + 5 + length > stream.Length) break;
            records.Add(new Record(stream[pos], stream[pos..(pos + 5)], stream[(pos + 5)..(pos + 5 + length)]));
            pos += 5 + length;
        }
        return records;
    }

    private static Dictionary<string, byte[]> ReadKeyLog(string path, string clientRandom)
    {
        var secrets = new Dictionary<string, byte[]>();
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && string.Equals(parts[1], clientRandom, StringComparison.OrdinalIgnoreCase))
                secrets[parts[0]] = Convert.FromHexString(parts[2]);
        }
        if (secrets.Count == 0) throw new InvalidDataException($"{path}: no secrets for client random {clientRandom}");
        return secrets;
    }

    private sealed class Direction(byte[] handshakeSecret, byte[] trafficSecret, HashAlgorithmName hash, int keyLength, bool chacha)
    {
        private byte[] _key = ExpandLabel(hash, handshakeSecret, "key", keyLength);
        private byte[] _iv = ExpandLabel(hash, handshakeSecret, "iv", 12);
        private ulong _sequence;
        private bool _application;

        public (byte Type, byte[] Content) Decrypt(byte[] header, byte[] body)
        {
            var nonce = (byte[])_iv.Clone();
            Span<byte> seq = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(seq, _sequence++);
            for (int i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
            var ciphertext = body.AsSpan(0, body.Length - 16);
            var tag = body.AsSpan(body.Length - 16);
            var plain = new byte[ciphertext.Length];
            if (chacha)
            {
                using var aead = new ChaCha20Poly1305(_key);
                aead.Decrypt(nonce, ciphertext, tag, plain, header);
            }
            else
            {
                using var aead = new AesGcm(_key, 16);
                aead.Decrypt(nonce, ciphertext, tag, plain, header);
            }
            int end = plain.Length;
            while (end > 0 && plain[end - 1] == 0) end--;
            byte type = plain[end - 1];
            var content = plain[..(end - 1)];
            if (!_application && type == 22 && HasFinished(content))
            {
                _application = true;
                _key = ExpandLabel(hash, trafficSecret, "key", keyLength);
                _iv = ExpandLabel(hash, trafficSecret, "iv", 12);
                _sequence = 0;
            }
            return (type, content);
        }

        private static bool HasFinished(byte[] content)
        {
            int pos = 0;
            while (pos + 4 <= content.Length)
            {
                if (content[pos] == 20) return true;
                pos += 4 + ((content[pos + 1] << 16) | (content[pos + 2] << 8) | content[pos + 3]);
            }
            return false;
        }

        private static byte[] ExpandLabel(HashAlgorithmName hash, byte[] secret, string label, int length)
        {
            var full = Encoding.ASCII.GetBytes("tls13 " + label);
            var info = new byte[2 + 1 + full.Length + 1];
            BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)length);
            info[2] = (byte)full.Length;
            full.CopyTo(info, 3);
            return HKDF.Expand(hash, secret, length, info);
        }
    }
}
