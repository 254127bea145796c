import RedisClient

/// The Redis Function library behind every append: `berrys_append`.
///
/// `FCALL berrys_append 1 <ns>:events:{<p>} <expected> <field> <value> [<field> <value> …]`
///
/// In one atomic step it checks the envelope fields, checks that the partition is the one
/// the partition key hashes to, de-duplicates by `id`, enforces the expected sequence,
/// assigns `sequence` and XADDs. It returns `[stream id, sequence, "appended"|"duplicate"]`.
/// Errors start with `BERRYS_INVALID` or `BERRYS_CONFLICT`.
///
/// `FCALL berrys_append_batch 1 <ns>:events:{<p>} <expected> <n> <field> <value> … <expected> <n> …`
///
/// Many events of one partition in one call, each with its own expected sequence, each given
/// as `n` field/value pairs. It replies with one element per event, in order: what
/// `berrys_append` would have replied to that event (the array, or its error as an error
/// element), as if the events had been appended one by one. The partition's config is read
/// once per call, and the subjects' sequence records and the ids' de-dup records in one
/// `HMGET` and one `MGET`; per event there remain the checks, the `XADD` and the de-dup `SET`.
///
/// `FCALL berrys_append_atomic 1 <ns>:events:{<p>} <expected> <n> <field> <value> … <expected> <n> …`
///
/// The same arguments as `berrys_append_batch`, written **all or nothing** (the rules of
/// `EventLog.appendAtomically`): every event judged first (each condition on the subject's
/// state before the set plus the set's earlier events), then all appended, or none. The reply
/// is one `[stream id, sequence, "appended"]` per event; a set whose ids are all in the log
/// answers with the originals (`"duplicate"`); a refusal is one error naming the event
/// (1-based): `BERRYS_CONFLICT event N: …`, `BERRYS_INVALID event N: …`,
/// `BERRYS_CROSS_PARTITION event N: …` (its key hashes to another partition),
/// `BERRYS_PARTIAL_DUPLICATE event N: …` (some ids seen, some not, or an id twice).
///
/// Keys it touches, all with the partition's hash tag `{<p>}`:
/// `<ns>:events:{p}` (the stream), `<ns>:config:{p}` (partition count, de-dup window),
/// `<ns>:seq:{p}` (hash: subject → "sequence stream-id s|k event-id", `k` when the subject's
/// latest event had an explicit partition key),
/// `<ns>:dedup:{p}:<event id>` (stream id and sequence, expiring after the de-dup window).
public enum AppendFunction {
    /// The library (Lua/berrys-append.lua, then Lua/berrys-schedule.lua), versioned by its
    /// content, for loading on every primary.
    public static let library = RedisFunctionLibrary(name: "berrys", versionFunction: "berrys_version",
                                                     luaFiles: ["berrys-append", "berrys-schedule"], in: .module)
}
