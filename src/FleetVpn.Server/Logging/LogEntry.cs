namespace FleetVpn.Server.Logging;

/// <summary>
/// One log line on its way to the writer: when it was logged, its `verb` level and its text. An entry with
/// <see cref="Flushed"/> set carries no line: the writer completes it once everything queued before it is written.
/// </summary>
public readonly record struct LogEntry(DateTime Time, int Level, string Text, TaskCompletionSource? Flushed = null);
