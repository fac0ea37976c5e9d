using System.Diagnostics.CodeAnalysis;

namespace FleetVpn.Server.Config;

/// <summary>
/// Finds a client's client-config-dir file as OpenVPN 2.6 does (<c>multi_client_connect_source_ccd()</c>
/// in multi.c): <c>DIR/&lt;common name&gt;</c>, else <c>DIR/DEFAULT</c>, else nothing.
/// <para>
/// The common name becomes a file name the way <c>platform_gen_path()</c> in platform.c makes it one:
/// <c>string_mod_const(name, CC_PRINT, CC_SLASH, '_')</c> turns every control character (below 0x20,
/// and 0x7F) and every '/' into '_' (so "a/b" looks for the file "a_b", and nothing can leave the
/// directory), and a result of "." or ".." names no file. OpenVPN has already mapped control characters
/// to '_' when it read the certificate (<c>string_mod_remap_name()</c> in ssl_verify.c), so this gives the
/// same file names. FleetVPN also treats an empty name or one containing NUL as naming no file (a C
/// string cannot hold a NUL, so OpenVPN never sees such a name). A name that names no file is not a
/// refusal: as in OpenVPN, DEFAULT is still tried.
/// </para>
/// </summary>
public static class ClientConfigDirectory
{
    /// <summary><c>CCD_DEFAULT</c> in OpenVPN's common.h: the file for clients without their own.</summary>
    public const string DefaultFileName = "DEFAULT";

    /// <summary>
    /// Loads <c><paramref name="directory"/>/&lt;<paramref name="commonName"/>&gt;</c>, or when there is
    /// none, <c><paramref name="directory"/>/DEFAULT</c>. Returns false (and null) when neither exists.
    /// </summary>
    /// <exception cref="ConfigException">The file found cannot be read, or holds a line FleetVPN refuses.</exception>
    public static bool TryLoad(string directory, string commonName, [NotNullWhen(true)] out ClientConfig? config)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(commonName);
        config = null;
        if (FileNameFor(commonName) is { } fileName && TryLoadFile(Path.Combine(directory, fileName), out config)) return true;
        return TryLoadFile(Path.Combine(directory, DefaultFileName), out config);
    }

    /// <summary>
    /// The file name <paramref name="commonName"/> is looked up under (control characters and '/'
    /// replaced by '_'), or null when it names no file ("", ".", "..", or a name with NUL).
    /// </summary>
    public static string? FileNameFor(string commonName)
    {
        if (commonName.Length == 0 || commonName.Contains('\0')) return null;
        var safe = string.Create(commonName.Length, commonName, static (span, name) =>
        {
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                span[i] = c < ' ' || c == '\x7F' || c == '/' ? '_' : c;
            }
        });
        return safe is "." or ".." ? null : safe;
    }

    /// <summary>Parses the file if it exists as a regular file (a directory or a missing file is "no file", as <c>platform_test_file()</c> finds it).</summary>
    private static bool TryLoadFile(string path, [NotNullWhen(true)] out ClientConfig? config)
    {
        config = null;
        if (Directory.Exists(path)) return false;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // OpenVPN only warns about an unreadable file and goes on to DEFAULT; FleetVPN does not
            // hand a client DEFAULT's settings when its own file exists but cannot be read.
            var reason = ex is UnauthorizedAccessException ? "Permission denied" : ex.Message;
            throw new ConfigException(path, 0, null, $"cannot read the client-config-dir file: {reason}", ex);
        }
        config = ClientConfigFile.ParseText(text, path);
        return true;
    }
}
