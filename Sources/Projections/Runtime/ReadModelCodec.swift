import Foundation

/// The one encoding of read-model values: JSON with sorted keys and dates as milliseconds, so
/// that equal values are equal bytes and a rebuild can be compared by checksum.
enum ReadModelCodec {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }

    static func decode<V: Decodable>(_ type: V.Type, from bytes: UnsafeRawBufferPointer, decoder: JSONDecoder) throws -> V {
        try decoder.decode(V.self, from: Data(bytes))
    }
}
