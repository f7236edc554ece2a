/// What one customer was billed and paid in one currency, in minor units: the arrears view
/// customer managers collect from. `outstanding` is what open invoices still owe; `overdue` is the
/// part of it on invoices marked overdue.
public struct CustomerBalance: Sendable, Codable, Equatable {
    public var invoiced: Int64 = 0
    public var paid: Int64 = 0
    public var writtenOff: Int64 = 0
    public var outstanding: Int64 = 0
    public var overdue: Int64 = 0

    public init() {}

    /// Adds another balance of the same currency (a merge folds the absorbed customer's in).
    mutating func add(_ other: CustomerBalance) {
        invoiced += other.invoiced
        paid += other.paid
        writtenOff += other.writtenOff
        outstanding += other.outstanding
        overdue += other.overdue
    }
}

extension CustomerBalance: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: 5)
        output.appendEntryKey("invoiced"); output.appendSigned(invoiced)
        output.appendEntryKey("outstanding"); output.appendSigned(outstanding)
        output.appendEntryKey("overdue"); output.appendSigned(overdue)
        output.appendEntryKey("paid"); output.appendSigned(paid)
        output.appendEntryKey("writtenOff"); output.appendSigned(writtenOff)
    }
}
