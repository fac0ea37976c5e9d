namespace FleetVpn.Server.Config;

/// <summary>
/// Resolves and reads the files a config names. OpenVPN opens them relative to its current
/// directory (the process's, or the one <c>--cd</c> / <c>cd</c> moved to); FleetVPN resolves them
/// to absolute paths at parse time instead of changing the process's directory.
/// </summary>
internal static class ConfigFiles
{
    /// <summary><paramref name="path"/> made absolute against <paramref name="baseDirectory"/>.</summary>
    public static string Resolve(string baseDirectory, string path) => Path.GetFullPath(path, baseDirectory);

    /// <summary>Reads a whole text file; on failure returns false with an OS-style reason ("No such file or directory").</summary>
    public static bool TryReadText(string fullPath, out string text, out string reason)
    {
        text = "";
        if (Directory.Exists(fullPath))
        {
            reason = "Is a directory";
            return false;
        }
        try
        {
            text = File.ReadAllText(fullPath);
            reason = "";
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
                UnauthorizedAccessException => "Permission denied",
                _ => ex.Message,
            };
            return false;
        }
    }

    /// <summary>Whether <paramref name="fullPath"/> is a directory this process can list; on failure returns false with an OS-style reason.</summary>
    public static bool TryCheckDirectory(string fullPath, out string reason)
    {
        if (File.Exists(fullPath))
        {
            reason = "Not a directory";
            return false;
        }
        if (!Directory.Exists(fullPath))
        {
            reason = "No such file or directory";
            return false;
        }
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(fullPath).GetEnumerator();
            entries.MoveNext();
            reason = "";
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = ex is UnauthorizedAccessException ? "Permission denied" : ex.Message;
            return false;
        }
    }
}
