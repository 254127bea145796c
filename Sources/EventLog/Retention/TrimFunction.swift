import RedisClient

/// The Redis Function library of the trimmer: `berrys_trim`.
///
/// `FCALL berrys_trim 2 <ns>:events:{p} <ns>:trimmed:{p} <cap> <maximum entries>`
///
/// Removes the oldest entries of the stream, at most `maximum entries` of them and only ids
/// below `cap` (`XTRIM … MINID`), and records in `<ns>:trimmed:{p}` (the watermark) the id
/// every remaining entry is at or above. One atomic step, so the watermark never claims an
/// entry is still in Redis when it is not: readers compare their position with it to know
/// whether Redis alone can serve them (`EventLog.readEntries`, the tiered log). The watermark
/// only moves forward, so several trimmers may run at once.
///
/// Replies `[removed, watermark, length, first id or ""]`.
public enum TrimFunction {
    /// The library (Lua/berrys_log.lua), versioned by its content, for loading on every primary.
    public static let library = RedisFunctionLibrary(name: "berrys_log", versionFunction: "berrys_log_version",
                                                     luaFiles: ["berrys_log"], in: .module)
}
