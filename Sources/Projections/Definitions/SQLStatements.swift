/// Splits SQL text into statements at top-level semicolons, leaving semicolons inside quotes,
/// dollar-quoted bodies and comments alone (libpq runs one parameterised statement per call).
enum SQLStatements {
    static func split(_ sql: String) -> [String] {
        var statements: [String] = []
        var current: [Character] = []
        let characters = Array(sql)
        var index = 0
        func flush() {
            let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty, !isOnlyComments(text) { statements.append(text) }
            current.removeAll()
        }
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "-" && next == "-" {
                while index < characters.count && characters[index] != "\n" { current.append(characters[index]); index += 1 }
                continue
            }
            if character == "/" && next == "*" {
                while index < characters.count && !(characters[index] == "*" && index + 1 < characters.count && characters[index + 1] == "/") {
                    current.append(characters[index]); index += 1
                }
                current.append(contentsOf: "*/"); index += 2
                continue
            }
            if character == "'" || character == "\"" {
                current.append(character); index += 1
                while index < characters.count {
                    current.append(characters[index])
                    if characters[index] == character {
                        if index + 1 < characters.count && characters[index + 1] == character {
                            current.append(character); index += 2; continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
                continue
            }
            if character == "$", let tag = dollarTag(characters, at: index) {
                current.append(contentsOf: tag); index += tag.count
                while index < characters.count && !matches(characters, tag, at: index) { current.append(characters[index]); index += 1 }
                current.append(contentsOf: tag); index += tag.count
                continue
            }
            if character == ";" { flush(); index += 1; continue }
            current.append(character)
            index += 1
        }
        flush()
        return statements
    }

    /// `$$` or `$name$` starting at `index`.
    private static func dollarTag(_ characters: [Character], at index: Int) -> [Character]? {
        var end = index + 1
        while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
        guard end < characters.count, characters[end] == "$" else { return nil }
        if end > index + 1, characters[index + 1].isNumber { return nil }  // $1 is a parameter
        return Array(characters[index...end])
    }

    private static func matches(_ characters: [Character], _ tag: [Character], at index: Int) -> Bool {
        index + tag.count <= characters.count && Array(characters[index..<index + tag.count]) == tag
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}

import Foundation
