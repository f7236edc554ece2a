/// One CSV record as RFC 4180 writes it: fields separated by commas, the record ended by CRLF; a
/// field holding a comma, a double quote, CR or LF (or starting or ending with a space, which
/// some readers trim) is enclosed in double quotes, its quotes doubled.
///
/// Fields that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are written as they
/// are: the export is evidence and must keep the stored values byte for byte.
enum CSVRow {
    static func encode(_ fields: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append(field, to: &out)
        }
        out.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        return out
    }

    private static func append(_ field: String, to out: inout [UInt8]) {
        let bytes = Array(field.utf8)
        let needsQuotes = bytes.first == UInt8(ascii: " ") || bytes.last == UInt8(ascii: " ") || bytes.contains {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n")
        }
        guard needsQuotes else { out.append(contentsOf: bytes); return }
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
