/// A change between two consecutive intervals of a customer (or the first interval, `from == nil`),
/// kept in time order so that "transitions during a period" is a range scan.
public struct StateTransition: Sendable, Codable, Equatable {
    public var customerId: String
    /// Business time (ms) of the change.
    public var at: Int64
    /// The labels before; nil for a customer's first interval.
    public var from: StateLabels?
    public var to: StateLabels
    public var cause: StateChangeCause

    public init(customerId: String, at: Int64, from: StateLabels?, to: StateLabels, cause: StateChangeCause) {
        self.customerId = customerId
        self.at = at
        self.from = from
        self.to = to
        self.cause = cause
    }
}

extension StateTransition: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: from == nil ? 4 : 5)
        output.appendEntryKey("at"); output.appendSigned(at)
        output.appendEntryKey("cause"); cause.writeBinary(into: &output)
        output.appendEntryKey("customerId"); output.appendString(customerId)
        if let from { output.appendEntryKey("from"); from.writeBinary(into: &output) }
        output.appendEntryKey("to"); to.writeBinary(into: &output)
    }
}
