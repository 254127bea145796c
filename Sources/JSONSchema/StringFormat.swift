/// The `format` values this validator asserts.
public enum StringFormat: String, Sendable, CaseIterable {
    case uuid
    case dateTime = "date-time"
    case email
    case uri

    /// True when `text` is a valid value of this format.
    public func accepts(_ text: String) -> Bool {
        switch self {
        case .uuid: return FormatRules.isUUID(text)
        case .dateTime: return FormatRules.isDateTime(text)
        case .email: return FormatRules.isEmail(text)
        case .uri: return FormatRules.isURI(text)
        }
    }
}

/// The grammar checks behind `StringFormat`, on ASCII bytes.
enum FormatRules {
    static func isUUID(_ text: String) -> Bool {
        guard text.utf8.count == 36 else { return false }
        func check(_ bytes: some Collection<UInt8>) -> Bool {
            for (index, byte) in zip(0..., bytes) {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard byte == UInt8(ascii: "-") else { return false }
                } else if !isHexDigit(byte) {
                    return false
                }
            }
            return true
        }
        return text.utf8.withContiguousStorageIfAvailable { check($0) } ?? check(text.utf8)
    }

    /// RFC 3339 `date-time`, with calendar checks and leap seconds only at 23:59:60 UTC.
    static func isDateTime(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count >= 20, b.allSatisfy({ $0 < 0x80 }) else { return false }
        guard let year = digits(b, 0, 4), b[4] == UInt8(ascii: "-"), let month = digits(b, 5, 2), b[7] == UInt8(ascii: "-"),
              let day = digits(b, 8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(b, 14, 2),
              b[16] == UInt8(ascii: ":"), let second = digits(b, 17, 2) else { return false }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return false }
        var index = 19
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < b.count, isDigit(b[index]) { index += 1 }
            guard index > start else { return false }
        }
        guard index < b.count else { return false }
        var offsetMinutes = 0
        if b[index] == UInt8(ascii: "Z") || b[index] == UInt8(ascii: "z") {
            index += 1
        } else if b[index] == UInt8(ascii: "+") || b[index] == UInt8(ascii: "-") {
            guard b.count == index + 6, let offsetHour = digits(b, index + 1, 2), b[index + 3] == UInt8(ascii: ":"),
                  let offsetMinute = digits(b, index + 4, 2), offsetHour <= 23, offsetMinute <= 59 else { return false }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (b[index] == UInt8(ascii: "+") ? 1 : -1)
            index += 6
        } else {
            return false
        }
        guard index == b.count else { return false }
        if second == 60 {
            let utcMinutes = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utcMinutes == 23 * 60 + 59
        }
        return true
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func digits(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f"))
    }
}
