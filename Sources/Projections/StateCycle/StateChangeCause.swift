/// Why an interval of the state cycle started.
///
/// For an event-driven change, the event applied (its log position and type). For a time-driven
/// change (`timeDriven`: a window ran out, e.g. a year without a paid order), the customer's last
/// event before the due time: the fact whose ageing made the change due.
public struct StateChangeCause: Sendable, Codable, Equatable {
    /// Log position of the event.
    public var position: UInt64
    /// Its event type.
    public var eventType: String
    /// True when the change fell due with time rather than with the event itself.
    public var timeDriven: Bool

    public init(position: UInt64, eventType: String, timeDriven: Bool) {
        self.position = position
        self.eventType = eventType
        self.timeDriven = timeDriven
    }
}

extension StateChangeCause: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: 3)
        output.appendEntryKey("eventType"); output.appendString(eventType)
        output.appendEntryKey("position"); output.appendUnsigned(position)
        output.appendEntryKey("timeDriven"); output.appendBool(timeDriven)
    }
}
