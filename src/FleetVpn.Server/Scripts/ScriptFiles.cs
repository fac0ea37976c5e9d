using System.Security.Cryptography;
using FleetVpn.Server.Config;

namespace FleetVpn.Server.Scripts;

/// <summary>
/// The temporary files scripts get as their last argument (the client-connect dynamic config file, via-file's username
/// and password), in `tmp-dir` or $TMPDIR: created new (never following a name someone else made) and readable by the
/// server's user alone, as OpenVPN makes them (<c>platform_create_temp_file()</c>); deleted after the script.
/// </summary>
internal static class ScriptFiles
{
    public static string Create(ServerOptions options, string tag, string content)
    {
        var directory = options.TmpDir ?? Path.GetTempPath();
        var path = Path.Combine(directory, $"fleetvpn_{tag}_{Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant()}.tmp");
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, create);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
        return path;
    }

    public static void Delete(string? path)
    {
        if (path is null) return;
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // left for the tmp cleaner: the name is random and the file the server's own
        }
    }
}
