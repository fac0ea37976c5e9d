using FleetVpn.Protocol.DataChannel;

namespace FleetVpn.Cli.Benchmarks;

/// <summary>Seal and open rates of one cipher at one plaintext size.</summary>
internal sealed record CryptoThroughputResult(DataCipher Cipher, HmacDigest? Digest, int PlaintextBytes, CryptoRate Seal, CryptoRate Open)
{
    /// <summary>OpenVPN's cipher name, with the HMAC for CBC ciphers ("AES-256-CBC+SHA256").</summary>
    public string Label => Digest is null ? Cipher.Name : $"{Cipher.Name}+{Digest.Name}";
}
