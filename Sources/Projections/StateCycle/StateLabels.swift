/// Everything a state-cycle interval says about a customer: lifecycle state, risk grade, value
/// grade and the three RFM scores behind it (0 before the first paid order). A new interval starts
/// whenever any of these changes.
public struct StateLabels: Sendable, Codable, Equatable, Hashable {
    public var state: LifecycleState
    public var risk: RiskGrade
    public var value: ValueGrade
    /// Recency score 1–5 (0 when never paid).
    public var recency: Int
    /// Frequency score 1–5 (0 when never paid).
    public var frequency: Int
    /// Monetary score 1–5 (0 when never paid).
    public var monetary: Int

    public init(state: LifecycleState, risk: RiskGrade, value: ValueGrade, recency: Int, frequency: Int, monetary: Int) {
        self.state = state
        self.risk = risk
        self.value = value
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
    }
}

extension StateLabels: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: 6)
        output.appendEntryKey("frequency"); output.appendSigned(Int64(frequency))
        output.appendEntryKey("monetary"); output.appendSigned(Int64(monetary))
        output.appendEntryKey("recency"); output.appendSigned(Int64(recency))
        output.appendEntryKey("risk"); output.appendString(risk.rawValue)
        output.appendEntryKey("state"); output.appendString(state.rawValue)
        output.appendEntryKey("value"); output.appendString(value.rawValue)
    }
}

extension StateLabels: BinaryValueReadable {
    static func readBinary(_ reader: inout BinaryValueReader) -> StateLabels? {
        guard reader.objectHeader() == 6,
              reader.key("frequency"), let frequency = reader.int(),
              reader.key("monetary"), let monetary = reader.int(),
              reader.key("recency"), let recency = reader.int(),
              reader.key("risk"), let risk = reader.string().flatMap(RiskGrade.init(rawValue:)),
              reader.key("state"), let state = reader.string().flatMap(LifecycleState.init(rawValue:)),
              reader.key("value"), let value = reader.string().flatMap(ValueGrade.init(rawValue:)) else { return nil }
        return StateLabels(state: state, risk: risk, value: value, recency: recency, frequency: frequency, monetary: monetary)
    }
}
