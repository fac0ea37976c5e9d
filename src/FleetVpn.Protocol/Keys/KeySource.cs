using System.Security.Cryptography;

namespace FleetVpn.Protocol.Keys;

/// <summary>The random inputs one peer sends in its key-method-2 message (<c>struct key_source</c>).</summary>
public sealed class KeySource
{
    public const int PreMasterSize = 48;
    public const int RandomSize = 32;

    public KeySource(byte[]? preMaster, byte[] random1, byte[] random2)
    {
        if (preMaster is { Length: not PreMasterSize }) throw new ArgumentException("pre_master must be 48 bytes");
        if (random1.Length != RandomSize || random2.Length != RandomSize) throw new ArgumentException("randoms must be 32 bytes");
        PreMaster = preMaster;
        Random1 = random1;
        Random2 = random2;
    }

    /// <summary>48 bytes from the client; the server sends none.</summary>
    public byte[]? PreMaster { get; }
    public byte[] Random1 { get; }
    public byte[] Random2 { get; }

    public static KeySource NewRandom(bool withPreMaster) => new(
        withPreMaster ? RandomNumberGenerator.GetBytes(PreMasterSize) : null,
        RandomNumberGenerator.GetBytes(RandomSize),
        RandomNumberGenerator.GetBytes(RandomSize));
}
