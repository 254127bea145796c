/// E-mail addresses (RFC 5321 mailbox), URIs (RFC 3986 absolute URI) and IP addresses.
extension FormatRules {
    static let atextSymbols = Set("!#$%&'*+/=?^_`{|}~-".utf8)
    static let subDelims = Set("!$&'()*+,;=".utf8)
    static let unreservedSymbols = Set("-._~".utf8)

    static func isEmail(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard !b.isEmpty, b.allSatisfy({ $0 < 0x80 }) else { return false }
        var index = 0
        if b[0] == UInt8(ascii: "\"") {
            index = 1
            while index < b.count, b[index] != UInt8(ascii: "\"") {
                if b[index] == UInt8(ascii: "\\") { index += 1 }
                guard index < b.count, b[index] >= 0x20, b[index] != 0x7f else { return false }
                index += 1
            }
            guard index < b.count else { return false }
            index += 1
        } else {
            while index < b.count, b[index] != UInt8(ascii: "@") { index += 1 }
            guard isDotAtom(b[0..<index]) else { return false }
        }
        guard index < b.count, b[index] == UInt8(ascii: "@") else { return false }
        let domain = Array(b[(index + 1)...])
        if domain.first == UInt8(ascii: "["), domain.last == UInt8(ascii: "]") {
            let literal = String(decoding: domain.dropFirst().dropLast(), as: UTF8.self)
            if literal.hasPrefix("IPv6:") { return isIPv6(String(literal.dropFirst(5))) }
            return isIPv4(literal)
        }
        return isHostname(domain)
    }

    static func isDotAtom(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previousWasDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
            } else {
                guard isAlpha(byte) || isDigit(byte) || atextSymbols.contains(byte) else { return false }
                previousWasDot = false
            }
        }
        return true
    }

    static func isHostname(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  label.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        return true
    }

    /// Dotted-quad IPv4, each part 0-255 without leading zeros.
    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.utf8.allSatisfy(isDigit), let value = Int(part), value <= 255 else { return false }
            return part.count == 1 || part.first != "0"
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else { return false }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        var groups = 0
        for (halfIndex, half) in halves.enumerated() where !half.isEmpty {
            let pieces = half.split(separator: ":", omittingEmptySubsequences: false)
            for (pieceIndex, piece) in pieces.enumerated() {
                let isLast = halfIndex == halves.count - 1 && pieceIndex == pieces.count - 1
                if piece.contains(".") {
                    guard isLast, isIPv4(String(piece)) else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(piece.count) else { return false }
                    groups += 1
                }
            }
        }
        return halves.count == 2 ? groups <= 7 : groups == 8
    }

    /// An absolute URI: `scheme ":" hier-part [ "?" query ] [ "#" fragment ]`.
    static func isURI(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")), colon > 0, isAlpha(b[0]),
              b[..<colon].allSatisfy({ isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return false }
        var rest = Array(b[(colon + 1)...])
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) {
            guard isURIText(rest[(hash + 1)...], extra: "/?") else { return false }
            rest = Array(rest[..<hash])
        }
        if let question = rest.firstIndex(of: UInt8(ascii: "?")) {
            guard isURIText(rest[(question + 1)...], extra: "/?") else { return false }
            rest = Array(rest[..<question])
        }
        if rest.starts(with: Array("//".utf8)) {
            let afterSlashes = rest.dropFirst(2)
            let authorityEnd = afterSlashes.firstIndex(of: UInt8(ascii: "/")) ?? afterSlashes.endIndex
            guard isAuthority(Array(afterSlashes[..<authorityEnd])) else { return false }
            return isURIText(afterSlashes[authorityEnd...], extra: "/")
        }
        return isURIText(rest[...], extra: "/")
    }

    static func isAuthority(_ bytes: [UInt8]) -> Bool {
        var hostPart = bytes[...]
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            guard isURIText(bytes[..<at], extra: ":", allowAt: false) else { return false }
            hostPart = bytes[(at + 1)...]
        }
        if hostPart.first == UInt8(ascii: "[") {
            guard let close = hostPart.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = String(decoding: hostPart[(hostPart.startIndex + 1)..<close], as: UTF8.self)
            guard isIPv6(literal) || isIPvFuture(literal) else { return false }
            return isPort(hostPart[(close + 1)...])
        }
        let colon = hostPart.firstIndex(of: UInt8(ascii: ":")) ?? hostPart.endIndex
        guard isURIText(hostPart[..<colon], extra: "", allowAt: false, allowColon: false) else { return false }
        return isPort(hostPart[colon...])
    }

    static func isPort(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first else { return true }
        return first == UInt8(ascii: ":") && bytes.dropFirst().allSatisfy(isDigit)
    }

    static func isIPvFuture(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count >= 4, b[0] | 0x20 == UInt8(ascii: "v"), let dot = b.firstIndex(of: UInt8(ascii: ".")), dot > 1,
              b[1..<dot].allSatisfy(isHexDigit), dot + 1 < b.count else { return false }
        return b[(dot + 1)...].allSatisfy { isAlpha($0) || isDigit($0) || unreservedSymbols.contains($0) || subDelims.contains($0) || $0 == UInt8(ascii: ":") }
    }

    /// Unreserved, percent-encoded, sub-delims, and `:`/`@` (pchar) plus `extra`.
    static func isURIText(_ bytes: ArraySlice<UInt8>, extra: String, allowAt: Bool = true, allowColon: Bool = true) -> Bool {
        let extras = Set(extra.utf8)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else { return false }
                index += 3
                continue
            }
            let allowed = isAlpha(byte) || isDigit(byte) || unreservedSymbols.contains(byte) || subDelims.contains(byte)
                || extras.contains(byte) || (allowAt && byte == UInt8(ascii: "@")) || (allowColon && byte == UInt8(ascii: ":"))
            guard allowed else { return false }
            index += 1
        }
        return true
    }
}
