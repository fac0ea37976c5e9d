using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace FleetVpn.Server.Config;

/// <summary>Parsers for directive arguments (integers with bounds, IPv4 addresses, netmasks) that report errors against the directive.</summary>
internal static class ConfigValues
{
    /// <summary>A decimal integer in [<paramref name="min"/>, <paramref name="max"/>] (digits only, like OpenVPN's atoi checks but strict).</summary>
    public static int Integer(ConfigDirective directive, string text, string what, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw directive.Error(min >= 0
                ? $"{what}: '{text}' is not a non-negative integer"
                : $"{what}: '{text}' is not an integer");
        }
        if (value < min || value > max)
        {
            throw directive.Error(max == int.MaxValue
                ? $"{what} must be at least {min}, got {value}"
                : $"{what} must be between {min} and {max}, got {value}");
        }
        return value;
    }

    /// <summary>A dotted-quad IPv4 address (exactly four decimal parts, as in <c>10.8.0.0</c>).</summary>
    public static IPAddress IPv4(ConfigDirective directive, string text)
    {
        var parts = text.Split('.');
        var bytes = new byte[4];
        var valid = parts.Length == 4;
        for (var i = 0; valid && i < 4; i++)
        {
            valid = parts[i].Length is > 0 and <= 3
                && parts[i].All(char.IsAsciiDigit)
                && byte.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]);
        }
        if (!valid) throw directive.Error($"'{text}' is not an IPv4 address");
        return new IPAddress(bytes);
    }

    /// <summary>The address as a host-order 32-bit number.</summary>
    public static uint ToUInt32(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    /// <summary>The prefix length of a contiguous netmask (255.255.255.0 → 24), or -1 when the ones are not contiguous.</summary>
    public static int PrefixLength(uint netmask)
    {
        var ones = System.Numerics.BitOperations.PopCount(netmask);
        var contiguous = ones == 0 ? 0u : uint.MaxValue << (32 - ones);
        return contiguous == netmask ? ones : -1;
    }

    /// <summary>A host-order 32-bit number as an address.</summary>
    public static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>
    /// The option of <c>push "OPTION"</c>. PUSH_REPLY separates options with commas, so one inside an
    /// option is refused, as OpenVPN 2.6's <c>push_option_ex()</c> in push.c does ("illegal comma").
    /// </summary>
    public static string PushOption(ConfigDirective directive, string option)
    {
        if (option.Trim().Length == 0) throw directive.Error("the pushed option is empty");
        if (option.Contains(','))
            throw directive.Error("illegal comma (',') in the pushed option: PUSH_REPLY separates options with commas; push each option on its own line");
        return option;
    }
}
