using System.Security.Cryptography;
using System.Text;

namespace FleetVpn.Pki;

/// <summary>Writes PEM files that must not exist yet, with their mode set when they are created (no window with a wider one).</summary>
internal static class PemFiles
{
    /// <summary>Creates <paramref name="path"/> (and its parents) with <paramref name="mode"/> when it does not exist.</summary>
    public static void CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, mode);
    }

    /// <summary>Sets the mode of an existing file or folder (nothing on Windows).</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    /// <summary>A certificate as PEM text with a final newline.</summary>
    public static string CertificatePem(ReadOnlySpan<byte> der) => PemEncoding.WriteString("CERTIFICATE", der) + "\n";

    /// <summary>Creates <paramref name="path"/> with <paramref name="mode"/> and writes <paramref name="text"/>; refuses an existing file.</summary>
    public static void WriteNew(string path, string text, UnixFileMode mode)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        FileStream stream;
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
            stream = new FileStream(path, options);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new PkiException($"{path} already exists; not overwriting it", e);
        }
        using (stream) stream.Write(bytes);
    }
}
