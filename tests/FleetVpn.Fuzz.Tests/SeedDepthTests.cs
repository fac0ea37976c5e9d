using FleetVpn.Fuzz.Targets;
using FleetVpn.Protocol.DataChannel;
using FleetVpn.Protocol.Keys;
using FleetVpn.Protocol.Wire;
using FleetVpn.Protocol.Wrapping;

namespace FleetVpn.Fuzz.Tests;

/// <summary>
/// The captured seeds get past the checks a fuzzer cannot forge (HMACs, AEAD tags), so that fuzzing starts from inside
/// the parsers rather than at their first refusal: a corpus that no longer matches its keys fails here.
/// </summary>
public class SeedDepthTests
{
    /// <summary>The seeds make-seeds.py took from the capture of <paramref name="session"/> (named after it; regression inputs are not).</summary>
    private static List<byte[]> Seeds(string target, string session) =>
        Directory.GetFiles(FuzzTargets.CorpusDirectory(target))
            .Where(f => Path.GetFileName(f).StartsWith(session + "-", StringComparison.Ordinal)).Select(File.ReadAllBytes).ToList();

    [Theory]
    [InlineData("tls-auth")]
    [InlineData("tls-crypt")]
    public void Every_captured_control_seed_unwraps_and_parses(string target)
    {
        using IControlWrapper wrapper = target == "tls-auth"
            ? new TlsAuthWrapper(FuzzKeys.Static("ta.key"), KeyDirection.Normal, HmacDigest.Sha1)
            : new TlsCryptWrapper(FuzzKeys.Static("tc.key"), isServer: true);
        var seeds = Seeds(target, target);
        Assert.NotEmpty(seeds);
        var unwrapped = new byte[65536];
        foreach (var seed in seeds)
        {
            Assert.True(wrapper.TryUnwrap(seed, unwrapped, out int length, out _, out _));
            Assert.True(ControlPacket.TryParse(unwrapped.AsSpan(0, length), out _));
        }
    }

    [Theory]
    [InlineData("data-aead", "tls-crypt")]
    [InlineData("data-cbc", "no-wrap-cbc")]
    public void Every_captured_data_seed_opens(string target, string session)
    {
        var cipher = target == "data-aead" ? DataCipher.Aes256Gcm : DataCipher.Aes256Cbc;
        using var open = PacketCiphers.Create(cipher, HmacDigest.Sha256, FuzzKeys.DataKeys(session), KeyMaterial.ClientToServer);
        var seeds = Seeds(target, session);
        Assert.NotEmpty(seeds);
        foreach (var seed in seeds)
            Assert.True(open.TryOpen(seed, DataPacketHeader.V2Size, new byte[65536], out _, out _));
    }
}
