/// One interval `[from, to)` (business time, ms since the epoch) of a customer's state cycle, with
/// what started it. The last interval of a customer is open (`to == nil`).
public struct StateInterval: Sendable, Codable, Equatable {
    public var customerId: String
    public var from: Int64
    public var to: Int64?
    public var labels: StateLabels
    public var cause: StateChangeCause

    public init(customerId: String, from: Int64, to: Int64?, labels: StateLabels, cause: StateChangeCause) {
        self.customerId = customerId
        self.from = from
        self.to = to
        self.labels = labels
        self.cause = cause
    }

    /// Whether business time `time` falls inside the interval.
    public func contains(_ time: Int64) -> Bool { from <= time && (to.map { time < $0 } ?? true) }
}

extension StateInterval: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: to == nil ? 4 : 5)
        output.appendEntryKey("cause"); cause.writeBinary(into: &output)
        output.appendEntryKey("customerId"); output.appendString(customerId)
        output.appendEntryKey("from"); output.appendSigned(from)
        output.appendEntryKey("labels"); labels.writeBinary(into: &output)
        if let to { output.appendEntryKey("to"); output.appendSigned(to) }
    }
}
