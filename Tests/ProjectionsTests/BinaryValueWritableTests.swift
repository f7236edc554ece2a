import Domain
import Foundation
@testable import Projections
import Testing

/// Every hand-written `BinaryValueWritable` gives exactly the bytes of the generic `Codable` path
/// (so stored values and rebuild checksums do not depend on which path wrote them), and what it
/// writes decodes back to the value. Values are random, with every optional both present and absent.
struct BinaryValueWritableTests {
    static let rounds = 400

    /// Encodes `value` both ways, compares the bytes, and decodes the fast bytes back.
    static func check<V: Codable & Equatable>(_ value: V, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let generic = try BinaryValueEncoder(handWritten: false).encode(value)
        let fast = try BinaryValueEncoder().encode(value)
        #expect(fast == generic, "\(V.self): \(value)", sourceLocation: sourceLocation)
        let decoded = try fast.withUnsafeBytes { try ReadModelCodec.decode(V.self, from: $0, decoder: ReadModelCodec.decoder()) }
        #expect(decoded == value, sourceLocation: sourceLocation)
        // A hand-written reader must accept these bytes itself, and agree with the generic decoder.
        if let readable = V.self as? any BinaryValueReadable.Type {
            let read = fast.withUnsafeBytes { readable.read($0) }
            #expect(read as? V == value, "\(V.self) read by hand", sourceLocation: sourceLocation)
            let generic = try fast.withUnsafeBytes { try BinaryValueDecoder().decode(V.self, from: $0) }
            #expect(generic == value, sourceLocation: sourceLocation)
        }
    }

    /// Damaged bytes of state-cycle facts: whatever the hand-written reader accepts, the generic
    /// decoder decodes to the same value (what it refuses goes to the generic decoder anyway).
    @Test func damagedFactsBytes() throws {
        var random = Self.random(seed: 23)
        var accepted = 0, refused = 0
        for _ in 0..<Self.rounds {
            var bytes = try BinaryValueEncoder().encode(Self.facts(&random))
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.removeLast(Int.random(in: 1...min(8, bytes.count), using: &random))
            default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
            }
            let read = bytes.withUnsafeBytes { CustomerStateFacts.read($0) }
            let generic = try? bytes.withUnsafeBytes { try BinaryValueDecoder().decode(CustomerStateFacts.self, from: $0) }
            if let read {
                accepted += 1
                #expect(generic == read, "\(bytes)")
            } else {
                refused += 1
            }
        }
        // Both outcomes must occur, or the property says little.
        #expect(accepted > 10 && refused > 10, "accepted \(accepted), refused \(refused)")
    }

    @Test func stateCycleValues() throws {
        var random = Self.random(seed: 7)
        for _ in 0..<Self.rounds {
            let facts = Self.facts(&random)
            try Self.check(facts)
            try Self.check(facts.labels)
            let cause = StateChangeCause(position: random.next(), eventType: Self.text(&random), timeDriven: Bool.random(using: &random))
            try Self.check(cause)
            let to: Int64? = Bool.random(using: &random) ? Int64.random(in: -1_000...Int64.max / 2, using: &random) : nil
            try Self.check(StateInterval(customerId: Self.text(&random), from: Int64.random(in: Int64.min / 2...Int64.max / 2, using: &random),
                                         to: to, labels: facts.labels, cause: cause))
            try Self.check(StateTransition(customerId: Self.text(&random), at: Int64.random(in: 0...1 << 45, using: &random),
                                           from: Bool.random(using: &random) ? Self.labels(&random) : nil, to: facts.labels, cause: cause))
        }
    }

    @Test func recentInteractions() throws {
        var random = Self.random(seed: 11)
        for _ in 0..<Self.rounds {
            let list = (0..<Int.random(in: 0...CustomerInteraction.kept, using: &random)).map { _ in Self.interaction(&random) }
            try Self.check(list)
            if let first = list.first { try Self.check(first) }
        }
    }

    @Test func customerRecords() throws {
        var random = Self.random(seed: 17)
        for _ in 0..<Self.rounds {
            try Self.check(Self.record(&random))
        }
    }

    @Test func counterMaps() throws {
        var random = Self.random(seed: 13)
        for _ in 0..<Self.rounds {
            var cell: [String: Int64] = [:]
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                cell[Self.text(&random)] = Int64.random(in: Int64.min...Int64.max, using: &random)
            }
            try Self.check(cell)
        }
        // Keys whose order by bytes differs from Swift's String order and from insertion order.
        try Self.check(["é": 1, "f": 2, "Z": 3, "a": -4, "": 5, "ab": 6, "a\u{0}": 7])
    }

    @Test func idLists() throws {
        var random = Self.random(seed: 19)
        for _ in 0..<Self.rounds {
            try Self.check((0..<Int.random(in: 0...40, using: &random)).map { _ in Self.text(&random) })
        }
        try Self.check(["é", "", "a\u{0}b", String(repeating: "x", count: 300)])
    }

    // MARK: Random values

    static func random(seed: UInt64) -> SimulationRandom { SimulationRandom(seed: seed) }

    static func text(_ random: inout SimulationRandom) -> String {
        let alphabet = Array("abcXYZ09-_ é€\u{0}\"\\\n👋")
        return String((0..<Int.random(in: 0...14, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    }

    static func maybe<T>(_ random: inout SimulationRandom, _ make: (inout SimulationRandom) -> T) -> T? {
        Bool.random(using: &random) ? make(&random) : nil
    }

    static func labels(_ random: inout SimulationRandom) -> StateLabels {
        StateLabels(state: LifecycleState.allCases.randomElement(using: &random)!, risk: RiskGrade.allCases.randomElement(using: &random)!,
                    value: ValueGrade.allCases.randomElement(using: &random)!, recency: Int.random(in: -5...5, using: &random),
                    frequency: Int.random(in: 0...5, using: &random), monetary: Int.random(in: 0...Int.max, using: &random))
    }

    static func day(_ random: inout SimulationRandom) -> Int64 { Int64.random(in: -400...30_000, using: &random) }

    static func facts(_ random: inout SimulationRandom) -> CustomerStateFacts {
        var facts = CustomerStateFacts(customerId: text(&random), day: day(&random), at: Int64.random(in: 0...1 << 45, using: &random),
                                       position: random.next(), eventType: text(&random))
        facts.mergedInto = maybe(&random, text)
        facts.deactivated = Bool.random(using: &random)
        facts.reactivatedDay = maybe(&random, day)
        facts.lastActivityDay = day(&random)
        facts.lastPaidDay = maybe(&random, day)
        facts.paid = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            CustomerStateFacts.DayAmount(day: day(&random), count: Int.random(in: 1...9, using: &random),
                                         minorUnits: Int64.random(in: -1 << 40...1 << 40, using: &random))
        }
        facts.activity = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            CustomerStateFacts.DayCount(day: day(&random), count: Int.random(in: 1...9, using: &random))
        }
        facts.complaints = (0..<Int.random(in: 0...2, using: &random)).map { _ in CustomerStateFacts.DayCount(day: day(&random), count: 1) }
        facts.writeOffs = (0..<Int.random(in: 0...2, using: &random)).map { _ in CustomerStateFacts.DayCount(day: day(&random), count: 2) }
        facts.overdue = (0..<Int.random(in: 0...3, using: &random)).map { _ in text(&random) }
        facts.wonBackDay = maybe(&random, day)
        facts.labels = labels(&random)
        facts.since = Int64.random(in: 0...1 << 45, using: &random)
        facts.previous = maybe(&random, labels)
        facts.previousSince = maybe(&random) { Int64.random(in: 0...1 << 45, using: &$0) }
        facts.dueDay = maybe(&random, day)
        return facts
    }

    static func record(_ random: inout SimulationRandom) -> CustomerRecord {
        let strings = { (random: inout SimulationRandom) in (0..<Int.random(in: 0...3, using: &random)).map { _ in text(&random) } }
        var record = CustomerRecord(
            customerId: text(&random), kind: CustomerKind.allCases.randomElement(using: &random)!, name: text(&random),
            organisation: maybe(&random, text), email: maybe(&random, text), phone: maybe(&random, text), address: maybe(&random, text),
            channel: AcquisitionChannel.allCases.randomElement(using: &random)!, sourceCampaignId: maybe(&random, text),
            registeredAt: Date(timeIntervalSince1970: Double(Int64.random(in: 0...1 << 32, using: &random))),
            classification: maybe(&random) { Classification(segment: text(&$0), region: text(&$0), industry: text(&$0), size: text(&$0), tier: text(&$0)) },
            managerId: maybe(&random, text))
        record.tags = strings(&random)
        record.consents = strings(&random)
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let id = text(&random)
            record.contacts[id] = CustomerContact(contactId: id, name: text(&random), email: maybe(&random, text),
                                                  phone: maybe(&random, text), role: maybe(&random, text))
        }
        record.isActive = Bool.random(using: &random)
        record.mergedInto = maybe(&random, text)
        record.absorbedIds = strings(&random)
        record.openOpportunityIds = strings(&random)
        record.openCaseIds = strings(&random)
        for currency in ["EUR", "USD", "GBP"] where Bool.random(using: &random) {
            var balance = CustomerBalance()
            balance.invoiced = Int64.random(in: 0...1 << 40, using: &random)
            balance.paid = Int64.random(in: 0...1 << 40, using: &random)
            balance.writtenOff = Int64.random(in: 0...1 << 20, using: &random)
            balance.outstanding = Int64.random(in: -1 << 20...1 << 40, using: &random)
            balance.overdue = Int64.random(in: 0...1 << 30, using: &random)
            record.balances[currency] = balance
        }
        record.purchaseEvidence = Int.random(in: 0...40, using: &random)
        record.firstPurchaseAt = maybe(&random) { Date(timeIntervalSince1970: Double(Int64.random(in: 0...1 << 32, using: &$0)) + 0.5) }
        return record
    }

    static func interaction(_ random: inout SimulationRandom) -> CustomerInteraction {
        // Whole milliseconds (the usual case, an int) and fractions of one (a double).
        let milliseconds = Double(Int64.random(in: 0...1 << 42, using: &random)) + (Bool.random(using: &random) ? 0 : 0.25)
        return CustomerInteraction(
            interactionId: text(&random), customerId: text(&random), occurredAt: Date(timeIntervalSince1970: milliseconds / 1000),
            channel: InteractionChannel.allCases.randomElement(using: &random)!, direction: Direction.allCases.randomElement(using: &random)!,
            outcome: text(&random), subject: maybe(&random, text), caseId: maybe(&random, text), opportunityId: maybe(&random, text),
            campaignId: maybe(&random, text), position: random.next())
    }
}
