namespace FleetVpn.Platform.Hosting;

/// <summary>How this process was started, to start it again (the daemon's copy, the re-exec with malloc settings).</summary>
public static class OwnCommandLine
{
    /// <summary>
    /// The executable (the apphost, or the dotnet host followed by the application's .dll) and the arguments after it.
    /// </summary>
    public static (string File, IReadOnlyList<string> Arguments) Get()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running executable is unknown");
        var commandLine = Environment.GetCommandLineArgs(); // [0]: the application (its .dll under the dotnet host)
        var arguments = commandLine.Skip(1).ToList();
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") arguments.Insert(0, Path.GetFullPath(commandLine[0]));
        return (host, arguments);
    }
}
