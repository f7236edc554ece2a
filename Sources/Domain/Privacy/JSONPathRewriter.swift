import Foundation

/// Finds, and optionally replaces, the string values at declared paths of one JSON document in a
/// single pass over its bytes.
///
/// Sealing, opening and pseudonymising personal data touch a few string members of every event.
/// Going through `JSONSerialization` for that (parse into `[String: Any]`, write back) cost more than
/// the append itself (BENCHMARKS.md, "Personal-data encryption"); this walker copies the bytes it
/// does not replace, so the rest of the document stays byte for byte as it was, numbers included.
///
/// Paths use the catalog's notation (`PersonalFields`): `name`, `changes[].old` (a member of every
/// element of an array), `fields.*` (every value of an object). The concrete path of a value joins
/// member names and element indexes with `/` (`changes/0/old`), which names it in the sealed part.
struct JSONPathRewriter: Sendable {
    enum Step: Equatable, Sendable {
        case member(String)
        case everyElement
        case everyValue
    }

    /// The input is not a JSON document the walker can follow.
    struct Malformed: Error, Equatable {
        let offset: Int
    }

    let paths: [[Step]]

    init(paths: [String]) {
        self.paths = paths.map(Self.parse)
    }

    static func parse(_ path: String) -> [Step] {
        var steps: [Step] = []
        for part in path.split(separator: ".") {
            if part == "*" { steps.append(.everyValue); continue }
            if part.hasSuffix("[]") {
                let name = part.dropLast(2)
                if !name.isEmpty { steps.append(.member(String(name))) }
                steps.append(.everyElement)
            } else {
                steps.append(.member(String(part)))
            }
        }
        return steps
    }

    /// Calls `transform` with the concrete path and the raw token (quotes and escapes included) of
    /// every string at one of the paths, and puts the token it returns (a JSON value) in its place;
    /// nil keeps the value. Returns the input itself when nothing was replaced.
    func rewrite(_ input: [UInt8], _ transform: (_ path: String, _ token: ArraySlice<UInt8>) -> [UInt8]?) throws(Malformed) -> [UInt8] {
        try withoutActuallyEscaping(transform) { (transform) throws(Malformed) -> [UInt8] in
            var walker = Walker(input: input, transform: transform)
            try walker.document(paths.map { $0[...] })
            return walker.finish()
        }
    }

    /// The top-level string members `names` of a JSON object, unescaped; nil when the input is not
    /// valid JSON.
    static func topLevelStrings(in input: [UInt8], named names: [String]) -> [String: String]? {
        var found: [String: String] = [:]
        let rewriter = JSONPathRewriter(paths: names)
        do {
            _ = try rewriter.rewrite(input) { path, token in
                found[path] = string(of: token)
                return nil
            }
        } catch {
            return nil
        }
        return found
    }

    /// The string a raw token stands for.
    static func string(of token: ArraySlice<UInt8>) -> String? {
        guard token.count >= 2 else { return nil }
        let content = token.dropFirst().dropLast()
        if !content.contains(UInt8(ascii: "\\")) { return String(decoding: content, as: UTF8.self) }
        return try? EventRegistry.decoder.decode(String.self, from: Data(token))
    }

    /// `text` as a JSON string token.
    static func token(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(text.utf8.count + 2)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// `{"path":token,…}` with the paths in byte order: the sealed plaintext, the same bytes for
    /// the same values.
    static func object(_ members: [String: ArraySlice<UInt8>]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, name) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += token(name)
            out.append(UInt8(ascii: ":"))
            out += members[name]!
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// One pass over one document.
    private struct Walker {
        let input: [UInt8]
        let transform: (String, ArraySlice<UInt8>) -> [UInt8]?
        var index = 0
        /// Built from the first replacement on; `copied` is how much of the input it holds.
        var output: [UInt8]?
        var copied = 0
        var components: [String] = []

        init(input: [UInt8], transform: @escaping (String, ArraySlice<UInt8>) -> [UInt8]?) {
            self.input = input
            self.transform = transform
        }

        mutating func finish() -> [UInt8] {
            guard var output else { return input }
            output += input[copied...]
            return output
        }

        mutating func document(_ active: [ArraySlice<Step>]) throws(Malformed) {
            try value(active)
            skipWhitespace()
            guard index == input.count else { throw Malformed(offset: index) }
        }

        private mutating func skipWhitespace() {
            while index < input.count {
                switch input[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        private mutating func expect(_ byte: UInt8) throws(Malformed) {
            skipWhitespace()
            guard index < input.count, input[index] == byte else { throw Malformed(offset: index) }
            index += 1
        }

        private mutating func value(_ active: [ArraySlice<Step>]) throws(Malformed) {
            skipWhitespace()
            guard index < input.count else { throw Malformed(offset: index) }
            switch input[index] {
            case UInt8(ascii: "{"): try object(active)
            case UInt8(ascii: "["): try array(active)
            case UInt8(ascii: "\""):
                let start = index
                try string()
                if active.contains(where: \.isEmpty) { replace(start..<index) }
            default:
                let start = index
                while index < input.count {
                    switch input[index] {
                    case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x0A, 0x0D, 0x09: break
                    default: index += 1; continue
                    }
                    break
                }
                guard index > start else { throw Malformed(offset: start) }
                switch input[start] {
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): break
                default: throw Malformed(offset: start)
                }
            }
        }

        private mutating func replace(_ range: Range<Int>) {
            guard let replacement = transform(components.joined(separator: "/"), input[range]) else { return }
            if output == nil { output = []; output!.reserveCapacity(input.count + 64) }
            output! += input[copied..<range.lowerBound]
            output! += replacement
            copied = range.upperBound
        }

        /// Moves past a string token (the index is on its opening quote).
        private mutating func string() throws(Malformed) {
            let start = index
            index += 1
            while index < input.count {
                switch input[index] {
                case UInt8(ascii: "\""): index += 1; return
                case UInt8(ascii: "\\"): index += 2
                default: index += 1
                }
            }
            throw Malformed(offset: start)
        }

        private mutating func object(_ active: [ArraySlice<Step>]) throws(Malformed) {
            index += 1
            skipWhitespace()
            if index < input.count, input[index] == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard index < input.count, input[index] == UInt8(ascii: "\"") else { throw Malformed(offset: index) }
                let keyStart = index
                try string()
                var next: [ArraySlice<Step>] = []
                if !active.isEmpty {
                    // Compared as bytes: a String per member name was most of a walk's cost.
                    let raw = input[(keyStart + 1)..<(index - 1)]
                    let name = raw.contains(UInt8(ascii: "\\")) ? JSONPathRewriter.string(of: input[keyStart..<index]) ?? "" : nil
                    var component: String?
                    for path in active {
                        switch path.first {
                        case .member(let member)? where name.map { $0 == member } ?? member.utf8.elementsEqual(raw):
                            next.append(path.dropFirst())
                            component = member
                        case .everyValue?:
                            next.append(path.dropFirst())
                            if component == nil { component = name ?? String(decoding: raw, as: UTF8.self) }
                        default: break
                        }
                    }
                    if let component { components.append(component) }
                }
                try expect(UInt8(ascii: ":"))
                try value(next)
                if !next.isEmpty { components.removeLast() }
                skipWhitespace()
                guard index < input.count else { throw Malformed(offset: index) }
                if input[index] == UInt8(ascii: ",") { index += 1; continue }
                if input[index] == UInt8(ascii: "}") { index += 1; return }
                throw Malformed(offset: index)
            }
        }

        private mutating func array(_ active: [ArraySlice<Step>]) throws(Malformed) {
            index += 1
            skipWhitespace()
            if index < input.count, input[index] == UInt8(ascii: "]") { index += 1; return }
            let next = active.compactMap { $0.first == .everyElement ? $0.dropFirst() : nil }
            var element = 0
            while true {
                if !next.isEmpty { components.append(String(element)) }
                try value(next)
                if !next.isEmpty { components.removeLast() }
                element += 1
                skipWhitespace()
                guard index < input.count else { throw Malformed(offset: index) }
                if input[index] == UInt8(ascii: ",") { index += 1; continue }
                if input[index] == UInt8(ascii: "]") { index += 1; return }
                throw Malformed(offset: index)
            }
        }
    }
}
