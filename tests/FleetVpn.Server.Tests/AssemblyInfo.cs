using System.Runtime.Versioning;

// The scripts' tests set file modes and run /bin/sh: Linux, as the server.
[assembly: SupportedOSPlatform("linux")]
