import EventLog
import Foundation
import QueryAPI
import RedisClient

/// The process configuration, from the environment and an optional `.env` file, checked at start.
public struct Settings: Sendable {
    /// The run command's local servers, used when no URL is configured.
    public static let localRedisURL = "redis://127.0.0.1:6381"
    public static let localDatabaseURL = "postgres://berrys@127.0.0.1:54381/berrys"

    public var redisURL: String
    public var databaseURL: String
    public var log: EventLogConfiguration
    public var logLevel: String
    public var logFormat: String
    public var api: APISettings

    /// Reads the settings.
    /// - Throws: `SettingsError` naming the variable and what is wrong with it.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                     dotEnvPath: String = ".env") throws -> Settings {
        let values = readDotEnv(dotEnvPath).merging(environment) { $1 }
        func integer(_ name: String, _ defaultValue: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let text = values[name], !text.isEmpty else { return defaultValue }
            guard let number = Int(text), range.contains(number) else {
                throw SettingsError(variable: name, "must be a whole number in \(range.lowerBound)…\(range.upperBound), got '\(text)'")
            }
            return number
        }
        let redisURL = values["BERRYS_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? localRedisURL
        do { _ = try RedisConfiguration(url: redisURL) } catch let error as RedisError {
            throw SettingsError(variable: "BERRYS_REDIS_URL", error.message)
        }
        let databaseURL = values["BERRYS_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? localDatabaseURL
        guard databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") else {
            throw SettingsError(variable: "BERRYS_DATABASE_URL", "must start with postgres:// or postgresql://")
        }
        let namespace = values["BERRYS_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "berrys"
        guard namespace.range(of: "^[A-Za-z0-9_.-]{1,64}$", options: .regularExpression) != nil else {
            throw SettingsError(variable: "BERRYS_NAMESPACE", "must be 1-64 characters of A-Z a-z 0-9 _ . -, got '\(namespace)'")
        }
        let level = values["BERRYS_LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
            throw SettingsError(variable: "BERRYS_LOG_LEVEL", "must be trace, debug, info, notice, warning, error or critical, got '\(level)'")
        }
        let format = values["BERRYS_LOG_FORMAT"].flatMap { $0.isEmpty ? nil : $0 } ?? "text"
        guard ["text", "json"].contains(format) else {
            throw SettingsError(variable: "BERRYS_LOG_FORMAT", "must be text or json, got '\(format)'")
        }
        let log = EventLogConfiguration(
            namespace: namespace,
            partitions: try integer("BERRYS_PARTITIONS", 4, 1...1024),
            deduplicationWindow: .milliseconds(try integer("BERRYS_DEDUP_WINDOW_MS", 86_400_000, 0...(365 * 86_400_000))),
            maximumPayloadBytes: try integer("BERRYS_MAX_PAYLOAD_BYTES", 1 << 20, 1...(64 << 20)),
            unavailableRetry: .seconds(try integer("BERRYS_REDIS_RETRY_SECONDS", 10, 0...3600)),
            partitionsAreRequired: !(values["BERRYS_PARTITIONS"] ?? "").isEmpty,
            durability: try durability(values, timeout: .milliseconds(try integer(
                "BERRYS_REPLICATION_TIMEOUT_MS", Int(Durability.defaultReplicationTimeout.inMilliseconds), 1...600_000))),
            retention: try retention(values))
        var tokens: APITokens?
        if let text = values["BERRYS_API_TOKENS"], !text.isEmpty {
            do { tokens = try APITokens(parsing: text) } catch {
                throw SettingsError(variable: "BERRYS_API_TOKENS", "must be comma-separated read:TOKEN, publish:TOKEN or admin:TOKEN entries")
            }
        }
        let api = APISettings(
            host: values["BERRYS_HTTP_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: try integer("BERRYS_HTTP_PORT", 8080, 0...65535),
            maximumBodyBytes: try integer("BERRYS_MAX_BODY_BYTES", 1 << 20, 1...(64 << 20)),
            consistencyTimeout: .milliseconds(try integer("BERRYS_CONSISTENCY_TIMEOUT_MS", 5000, 0...600_000)),
            readyMaximumLag: .seconds(try integer("BERRYS_READY_MAX_LAG_SECONDS", 60, 0...86_400)),
            tokens: tokens,
            requestTimeout: .milliseconds(try integer("BERRYS_REQUEST_TIMEOUT_MS", 30_000, 100...3_600_000)),
            streamBufferCapacity: try integer("BERRYS_STREAM_BUFFER", 10_000, 1...1_000_000))
        return Settings(redisURL: redisURL, databaseURL: databaseURL, log: log, logLevel: level, logFormat: format, api: api)
    }

    /// `BERRYS_RETENTION` (all | entries:N | age:N[s|m|h|d]).
    private static func retention(_ values: [String: String]) throws -> RetentionPolicy {
        do { return try RetentionPolicy(parsing: values["BERRYS_RETENTION"] ?? "") } catch let error as EventLogError {
            throw SettingsError(variable: "BERRYS_RETENTION", error.message)
        }
    }

    /// `BERRYS_DURABILITY` (local|replicated), with `replicated`'s timeout.
    private static func durability(_ values: [String: String], timeout: Duration) throws -> Durability {
        switch values["BERRYS_DURABILITY"].flatMap({ $0.isEmpty ? nil : $0.lowercased() }) ?? "local" {
        case "local": return .local
        case "replicated": return .replicated(timeout: timeout)
        case let other: throw SettingsError(variable: "BERRYS_DURABILITY", "must be local or replicated, got '\(other)'")
        }
    }

    /// `KEY=value` lines; `#` comments and blank lines ignored; surrounding quotes removed.
    public static func readDotEnv(_ path: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "export ", with: "")
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}

/// A configuration variable with a bad value.
public struct SettingsError: Error, CustomStringConvertible {
    public var variable: String
    public var message: String
    public init(variable: String, _ message: String) {
        self.variable = variable
        self.message = message
    }
    public var description: String { "configuration error: \(variable) \(message)" }
}
