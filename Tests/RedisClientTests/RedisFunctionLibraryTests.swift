import Foundation
import RedisClient
import TestSupport
import Testing

/// Libraries are versioned by their Lua's content: a change loads anew, with no hand bump.
@Suite struct RedisFunctionLibraryTests {
    static func lua(_ body: String, name: String = "berrys_test") -> String {
        """
        #!lua name=\(name)
        local VERSION = '__VERSION__'
        \(body)
        redis.register_function{function_name = '\(name)_version', callback = function() return VERSION end, flags = {'no-writes'}}
        """
    }

    @Test func theVersionIsADigestOfTheTextAndTheSourceCarriesIt() {
        let one = RedisFunctionLibrary(name: "berrys_test", versionFunction: "berrys_test_version", lua: Self.lua("-- one"))
        let same = RedisFunctionLibrary(name: "berrys_test", versionFunction: "berrys_test_version", lua: Self.lua("-- one"))
        let two = RedisFunctionLibrary(name: "berrys_test", versionFunction: "berrys_test_version", lua: Self.lua("-- two"))
        #expect(one.version == same.version && one.version != two.version)
        #expect(one.version.count == 16)
        #expect(one.source.contains("local VERSION = '\(one.version)'") && !one.source.contains("__VERSION__"))
    }

    /// Loaded once; a changed text replaces it on the server, which then answers the new version.
    @Test func aChangedLibraryIsLoadedAgain() async throws {
        let pool = RedisPool(configuration: TestServers.redisConfiguration, size: 1)
        let name = "berrys_test_\(UUID().uuidString.prefix(8).lowercased())"
        let one = RedisFunctionLibrary(name: name, versionFunction: "\(name)_version", lua: Self.lua("-- one", name: name))
        let two = RedisFunctionLibrary(name: name, versionFunction: "\(name)_version", lua: Self.lua("-- two", name: name))
        #expect(try await !one.ensureLoaded(on: pool).isEmpty)
        #expect(try await pool.send("FCALL_RO", "\(name)_version", "0").string == one.version)
        #expect(try await !two.ensureLoaded(on: pool).isEmpty)
        #expect(try await two.ensureLoaded(on: pool).isEmpty, "already there")
        #expect(try await pool.send("FCALL_RO", "\(name)_version", "0").string == two.version)
        try await pool.send("FUNCTION", "DELETE", name)
    }
}
