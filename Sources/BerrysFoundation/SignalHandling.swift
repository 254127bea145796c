#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide start-up settings the C clients need.
public enum ProcessSetup {
    /// Ignores SIGPIPE, so a write to a socket the server closed returns an error instead of
    /// killing the process. Call once at start-up.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }
}
