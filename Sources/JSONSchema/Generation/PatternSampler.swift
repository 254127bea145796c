/// Produces strings that match simple regular expressions: literals, `.`, `\d`, `\w`, `\s`,
/// character classes with ranges, and the quantifiers `? * + {n} {n,} {n,m}`, optionally
/// anchored. Anything else (groups, alternation, negated classes) is not sampled: `init`
/// returns nil and the generator falls back to the schema's `examples`.
struct PatternSampler {
    private struct Atom {
        var characters: [Character]
        var minimum: Int
        var maximum: Int
    }

    private let atoms: [Atom]

    init?(_ pattern: String) {
        var source = Array(pattern)
        if source.first == "^" { source.removeFirst() }
        if source.last == "$", source.dropLast().last != "\\" { source.removeLast() }
        var atoms: [Atom] = []
        var index = 0
        while index < source.count {
            let characters: [Character]
            switch source[index] {
            case "[":
                guard let (set, end) = Self.characterClass(source, from: index + 1) else { return nil }
                (characters, index) = (set, end)
            case "\\":
                guard index + 1 < source.count, let set = Self.escaped(source[index + 1]) else { return nil }
                (characters, index) = (set, index + 2)
            case ".":
                (characters, index) = (Self.word, index + 1)
            case "(", ")", "|", "^", "$", "*", "+", "?", "{":
                return nil
            default:
                (characters, index) = ([source[index]], index + 1)
            }
            guard let (minimum, maximum, end) = Self.quantifier(source, from: index) else { return nil }
            atoms.append(Atom(characters: characters, minimum: minimum, maximum: maximum))
            index = end
        }
        self.atoms = atoms
    }

    /// A matching string; repeats are at most `spread` more than each atom's minimum.
    func sample(using random: inout SeededRandom, spread: Int = 12) -> String {
        var text = ""
        for atom in atoms {
            let count = Int.random(in: atom.minimum...min(atom.maximum, atom.minimum + spread), using: &random)
            for _ in 0..<count { text.append(atom.characters.randomElement(using: &random)!) }
        }
        return text
    }

    private static let digits = Array("0123456789")
    private static let word = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

    private static func escaped(_ character: Character) -> [Character]? {
        switch character {
        case "d": return digits
        case "w": return word
        case "s": return [" "]
        case _ where character.isLetter || character.isNumber: return nil
        default: return [character]
        }
    }

    private static func characterClass(_ source: [Character], from start: Int) -> ([Character], Int)? {
        guard start < source.count, source[start] != "^" else { return nil }
        var set: [Character] = []
        var index = start
        while index < source.count, source[index] != "]" {
            var first = source[index]
            if first == "\\" {
                guard index + 1 < source.count, let escaped = escaped(source[index + 1]) else { return nil }
                index += 2
                if escaped.count > 1 { set += escaped; continue }
                first = escaped[0]
            } else {
                index += 1
            }
            if index + 1 < source.count, source[index] == "-", source[index + 1] != "]" {
                let last = source[index + 1]
                guard let low = first.unicodeScalars.first?.value, let high = last.unicodeScalars.first?.value, low <= high, high - low < 512 else { return nil }
                set += (low...high).compactMap { Unicode.Scalar($0).map(Character.init) }
                index += 2
            } else {
                set.append(first)
            }
        }
        guard index < source.count, !set.isEmpty else { return nil }
        return (set, index + 1)
    }

    private static func quantifier(_ source: [Character], from index: Int) -> (Int, Int, Int)? {
        guard index < source.count else { return (1, 1, index) }
        switch source[index] {
        case "?": return (0, 1, index + 1)
        case "*": return (0, 8, index + 1)
        case "+": return (1, 8, index + 1)
        case "{":
            guard let close = source[index...].firstIndex(of: "}") else { return nil }
            let parts = String(source[(index + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false)
            guard let low = Int(parts[0]) else { return nil }
            let high = parts.count == 1 ? low : parts[1].isEmpty ? low + 8 : Int(parts[1])
            guard let high, high >= low, parts.count <= 2 else { return nil }
            return (low, high, close + 1)
        default: return (1, 1, index)
        }
    }
}
