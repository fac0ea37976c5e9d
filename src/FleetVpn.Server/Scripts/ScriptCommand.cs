namespace FleetVpn.Server.Scripts;

/// <summary>
/// A script directive's command (<c>client-connect CMD</c>, ...): the program and its arguments, split as OpenVPN's
/// <c>argv_parse_cmd()</c> splits it (whitespace, quotes, no shell). The program runs as given, never looked up in PATH.
/// </summary>
/// <param name="Program">An absolute path to the program.</param>
/// <param name="Arguments">The arguments written after it; the runner appends its own (the dynamic config file, ...).</param>
/// <param name="Text">The command as written, for logs.</param>
public sealed record ScriptCommand(string Program, IReadOnlyList<string> Arguments, string Text);
