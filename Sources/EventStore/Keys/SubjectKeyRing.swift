import Foundation
import Synchronization

/// The data keys of every data subject, wrapped under the master key, in their own LMDB
/// environment (`<data>/keys`), apart from the log so that destroying a key never touches a hashed
/// byte of the chain.
///
/// Tables: `slots` (slot u64 BE → master-key-wrapped data key), `keys` (subject → wrapped key: the
/// keys of earlier versions, still read and erased), `erased` (subject → erased-at ms, the
/// tombstone that stops a subject from ever taking personal data again), `meta` (the master key's
/// id, a check value, the wrapped secret behind pseudonyms, the next slot), `owned` (owner ‖ 0 ‖
/// owned) and `owner` (owned → owner): which subjects belong to which (a customer's contacts,
/// opportunities and the lead it came from), so erasing a customer erases everything personal
/// about it.
///
/// Every commit is synced: a key must be on disk before an event sealed with it is appended, or a
/// crash could leave a durable event nobody can read. So that a new subject does not cost a synced
/// commit of its own, keys are created ahead in batches (`poolBatch` per commit) and a new subject
/// takes the next free one from memory; the event names the slot (`SealedData.keySlot`) and the
/// log records subject → slot in the append's own transaction (`EventStore.keySlots(of:)`), which
/// is how erasure finds every key of a subject. Slots taken but never used by an appended event
/// (a refused command, a restart) hold nobody's data. A subject takes a new slot after a restart;
/// erasure destroys all of them. Reads run on snapshots and unwrapped keys are cached in memory.
public final class SubjectKeyRing: Sendable {
    /// The environment's directory name inside a data directory.
    public static let directoryName = "keys"

    private static let keysTable = 0
    private static let erasedTable = 1
    private static let metaTable = 2
    private static let ownedTable = 3
    private static let ownerTable = 4
    private static let slotsTable = 5
    private static let nextSlotKey = Array("next_slot".utf8)
    /// Keys created per synced commit when the pool runs dry.
    static let poolBatch = 256
    private static let masterIdKey = Array("master_key_id".utf8)
    private static let checkKey = Array("check".utf8)
    private static let pseudonymKey = Array("pseudonym_secret".utf8)
    private static let checkSubject = "crm-master-key-check"
    private static let cacheLimit = 200_000

    /// The master key file this ring was opened with (its `.erasures` list lives beside it).
    public let masterKeyPath: String
    /// Subjects whose erasure was on the erasure list but not in this environment when it opened
    /// (a backup from before the erasure was restored): their keys are now destroyed again. The
    /// caller records the erasure in the log if the restored log lacks it.
    public let reappliedErasures: [String]

    private let storage: KeyValueStore
    private let erasures: ErasureList
    private let master: Mutex<MasterKey>
    private let pseudonyms: Mutex<HMACKey>
    /// Subject → the key it seals under now, the pool of free slots, and the erased subjects.
    private let sealing: Mutex<Sealing>
    /// Slot → key, for opening.
    private let slotCache = Mutex<[UInt64: DataKey]>([:])
    /// Whether the environment holds keys of earlier versions, stored by subject.
    private let hasSubjectKeys: Bool
    /// Links already stored (owned → owner), so a busy subject does not cost a write per event.
    private let knownLinks = Mutex<[String: String]>([:])
    /// Shares one synced transaction among concurrent commands that need new keys (`reserveKeys`).
    private let combiner: Mutex<KeyWriteCombiner?> = Mutex(nil)

    private struct Sealing {
        var keys: [String: DataKey] = [:]
        var free: [DataKey] = []
        var erased: Set<String> = []
    }

    /// Opens the keys environment of `dataDirectory`, checking `masterKeyPath` against it.
    ///
    /// With `createMasterKey`, a missing key file is created, but only when the directory has no
    /// keys environment yet (a first start); a missing key for existing keys is always an error.
    public init(dataDirectory: String, masterKeyPath: String, createMasterKey: Bool = false) throws(KeyRingError) {
        let directory = dataDirectory + "/" + Self.directoryName
        let hasKeys = FileManager.default.fileExists(atPath: directory + "/data.mdb")
        let key: MasterKey
        if FileManager.default.fileExists(atPath: masterKeyPath) {
            key = try MasterKey.load(file: masterKeyPath)
        } else if createMasterKey && !hasKeys {
            key = try MasterKey.create(file: masterKeyPath)
        } else {
            throw .missingMasterKey(path: masterKeyPath)
        }
        self.masterKeyPath = masterKeyPath
        erasures = ErasureList(masterKeyPath: masterKeyPath)
        do {
            storage = try KeyValueStore(directory: directory, tables: ["keys", "erased", "meta", "owned", "owner", "slots"],
                                        mapSize: 4 << 30, syncEveryCommit: true)
        } catch {
            throw .storage("cannot open \(directory): \(error)")
        }
        master = Mutex(key)
        pseudonyms = Mutex(try! HMACKey(bytes: [UInt8](repeating: 0, count: 32)))
        let secret = try Self.checkOrInitialise(storage, key: key, path: masterKeyPath)
        pseudonyms.withLock { $0 = try! HMACKey(bytes: secret) }
        var reapplied: [String] = []
        for (subject, at) in try erasures.entries().sorted(by: { $0.key < $1.key }) where try !Self.isErased(subject, in: storage) {
            try Self.destroy(subject, at: at, in: storage)
            reapplied.append(subject)
        }
        reappliedErasures = reapplied
        do {
            let (erased, subjectKeys) = try storage.read { reader -> (Set<String>, Int) in
                var erased: Set<String> = []
                try reader.scan(Self.erasedTable) { key, _ in
                    erased.insert(String(decoding: key, as: UTF8.self))
                    return true
                }
                return (erased, reader.count(Self.keysTable))
            }
            sealing = Mutex(Sealing(erased: erased))
            hasSubjectKeys = subjectKeys > 0
        } catch {
            throw .storage("cannot read \(directory): \(error)")
        }
    }

    /// Verifies (or, on a new environment, records) the master key; returns the pseudonym secret.
    private static func checkOrInitialise(_ storage: KeyValueStore, key: MasterKey, path: String) throws(KeyRingError) -> [UInt8] {
        do {
            return try storage.write { writer -> [UInt8] in
                let reader = writer.reader
                guard let storedId = try reader.get(metaTable, masterIdKey) else {
                    let secret = secureRandomBytes(32)
                    try writer.put(metaTable, masterIdKey, Array(key.id.utf8))
                    try writer.put(metaTable, checkKey, key.cipher.seal(Array(checkSubject.utf8), associatedData: Array(checkSubject.utf8)))
                    try writer.put(metaTable, pseudonymKey, key.cipher.seal(secret, associatedData: pseudonymKey))
                    return secret
                }
                let expected = String(decoding: storedId, as: UTF8.self)
                guard expected == key.id,
                      let check = try reader.get(metaTable, checkKey),
                      (try? key.cipher.open(check, associatedData: Array(checkSubject.utf8))) != nil,
                      let wrappedSecret = try reader.get(metaTable, pseudonymKey),
                      let secret = try? key.cipher.open(wrappedSecret, associatedData: pseudonymKey)
                else {
                    var hint: String?
                    if let pending = try? MasterKey.load(file: path + ".new"), pending.id == expected {
                        hint = "an interrupted rotation left the expected key in \(path).new; move it over \(path)"
                    }
                    throw KeyRingError.wrongMasterKey(path: path, expected: expected, actual: key.id, hint: hint)
                }
                return secret
            }
        } catch let error as KeyRingError {
            throw error
        } catch {
            throw KeyRingError(wrapping: error)
        }
    }

    /// The id of the master key the data keys are wrapped under.
    public var masterKeyId: String { master.withLock { $0.id } }

    /// The key that opens `sealed`: by its slot, or by its subject for keys of earlier versions;
    /// nil when the subject was erased or the key is gone.
    public func key(opening sealed: SealedData) throws(KeyRingError) -> DataKey? {
        if sealing.withLock({ $0.erased.contains(sealed.subject) }) { return nil }
        guard let slot = sealed.keySlot else { return try subjectKey(of: sealed.subject) }
        if let cached = slotCache.withLock({ $0[slot] }) { return cached }
        let wrapped: [UInt8]?
        do { wrapped = try storage.read { try $0.get(Self.slotsTable, BigEndian.bytes(slot)) } } catch {
            throw KeyRingError(wrapping: error)
        }
        guard let wrapped else { return nil }
        let key = try unwrap(wrapped, subject: Self.slotName(slot), slot: slot)
        slotCache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[slot] = key
        }
        return key
    }

    /// The key stored under `subject`'s name by earlier versions, if any.
    private func subjectKey(of subject: String) throws(KeyRingError) -> DataKey? {
        guard hasSubjectKeys else { return nil }
        let wrapped: [UInt8]?
        do { wrapped = try storage.read { try $0.get(Self.keysTable, Array(subject.utf8)) } } catch {
            throw KeyRingError(wrapping: error)
        }
        return try wrapped.map { (wrapped) throws(KeyRingError) in try unwrap(wrapped, subject: subject) }
    }

    /// The keys to seal new events of `subjects` with, recording `links` (owned → owner). A subject
    /// keeps its key while the process runs; a new one takes a free slot. Only when the pool is dry,
    /// or a link is new, is a synced transaction written. Refuses an erased subject.
    public func sealingKeys(for subjects: Set<String>, links: [String: String] = [:]) throws(KeyRingError) -> [String: DataKey] {
        var pendingLinks = try validate(subjects, links)
        while true {
            let (found, missing) = try assign(subjects)
            guard missing > 0 || !pendingLinks.isEmpty else { return found }
            try store([KeyWriteCombiner.Demand(links: pendingLinks, keys: missing)])[0].get()
            pendingLinks = [:]
            if missing == 0 { return found }
        }
    }

    /// `sealingKeys` for a command under concurrent load: when the pool is dry or links are new, the
    /// write is shared with every other command waiting at the same moment (`KeyWriteCombiner`).
    /// Afterwards `sealingKeys` finds the keys in memory.
    @discardableResult
    public func reserveKeys(for subjects: Set<String>, links: [String: String] = [:]) async throws(KeyRingError) -> [String: DataKey] {
        var pendingLinks = try validate(subjects, links)
        while true {
            let (found, missing) = try assign(subjects)
            guard missing > 0 || !pendingLinks.isEmpty else { return found }
            let combiner = combiner.withLock { combiner in
                if let combiner { return combiner }
                let created = KeyWriteCombiner { [unowned self] demands in store(demands) }
                combiner = created
                return created
            }
            try await combiner.submit(KeyWriteCombiner.Demand(links: pendingLinks, keys: missing))
            pendingLinks = [:]
            if missing == 0 { return found }
        }
    }

    /// Checks the names; returns the links not stored yet. Loads keys of earlier versions for
    /// subjects that have one, so they keep sealing under it.
    private func validate(_ subjects: Set<String>, _ links: [String: String]) throws(KeyRingError) -> [String: String] {
        for subject in subjects where !Self.isValid(subject) { throw .invalidSubject(subject) }
        var newLinks: [String: String] = [:]
        for (owned, owner) in links where knownLinks.withLock({ $0[owned] }) != owner {
            guard Self.isValid(owned), Self.isValid(owner) else { throw .invalidSubject(Self.isValid(owned) ? owner : owned) }
            newLinks[owned] = owner
        }
        if hasSubjectKeys {
            let unknown = sealing.withLock { state in subjects.filter { state.keys[$0] == nil && !state.erased.contains($0) } }
            for subject in unknown {
                guard let key = try subjectKey(of: subject) else { continue }
                sealing.withLock { state in if state.keys[subject] == nil { state.keys[subject] = key } }
            }
        }
        return newLinks
    }

    /// The keys of `subjects`, new ones taken from the pool; how many the pool could not supply.
    private func assign(_ subjects: Set<String>) throws(KeyRingError) -> ([String: DataKey], missing: Int) {
        try sealing.withLock { (state) throws(KeyRingError) -> ([String: DataKey], missing: Int) in
            if let refused = subjects.sorted().first(where: state.erased.contains) { throw .subjectErased(refused) }
            if state.keys.count >= Self.cacheLimit { state.keys.removeAll(keepingCapacity: true) }
            var found: [String: DataKey] = [:]
            var missing = 0
            for subject in subjects {
                if let key = state.keys[subject] {
                    found[subject] = key
                } else if let key = state.free.popLast() {
                    state.keys[subject] = key
                    found[subject] = key
                } else {
                    missing += 1
                }
            }
            return (found, missing)
        }
    }

    /// One synced transaction for every waiting demand (`KeyWriteCombiner`): their links, and a
    /// batch of new slots (at least `poolBatch`) when they need keys.
    private func store(_ demands: [KeyWriteCombiner.Demand]) -> [KeyWriteCombiner.Outcome] {
        let master = master.withLock { $0 }
        var links: [String: String] = [:]
        for demand in demands { links.merge(demand.links) { $1 } }
        let needed = demands.reduce(0) { $0 + $1.keys }
        let count = needed == 0 ? 0 : max(needed, Self.poolBatch)
        do {
            let created = try storage.write { writer -> [DataKey] in
                for (owned, owner) in links.sorted(by: { $0.key < $1.key }) {
                    try writer.put(Self.ownerTable, Array(owned.utf8), Array(owner.utf8))
                    try writer.put(Self.ownedTable, Array(owner.utf8) + [0] + Array(owned.utf8), [])
                }
                guard count > 0 else { return [] }
                var next = try writer.reader.get(Self.metaTable, Self.nextSlotKey).map { bytes in bytes.withUnsafeBytes { BigEndian.uint64($0) } } ?? 1
                var created: [DataKey] = []
                created.reserveCapacity(count)
                for _ in 0..<count {
                    let key = DataKey.generate(slot: next)
                    try writer.put(Self.slotsTable, BigEndian.bytes(next), master.wrap(key, subject: Self.slotName(next)))
                    created.append(key)
                    next += 1
                }
                try writer.put(Self.metaTable, Self.nextSlotKey, BigEndian.bytes(next))
                return created
            }
            sealing.withLock { $0.free.append(contentsOf: created.reversed()) }
            knownLinks.withLock { known in
                if known.count >= Self.cacheLimit { known.removeAll(keepingCapacity: true) }
                known.merge(links) { $1 }
            }
            return demands.map { _ in .success(()) }
        } catch {
            let failure = (error as? KeyRingError) ?? KeyRingError(wrapping: error)
            return demands.map { _ in .failure(failure) }
        }
    }

    /// The associated data a slot's key is wrapped with.
    static func slotName(_ slot: UInt64) -> String { "slot:\(slot)" }

    /// Whether `subject` was erased.
    public func isErased(_ subject: String) throws(KeyRingError) -> Bool {
        sealing.withLock { $0.erased.contains(subject) }
    }

    /// How many subjects have been erased. Erasure is permanent, so the number only grows: a
    /// caller that kept something masked against the tombstones (a cached answer) knows nothing
    /// new was erased while the number is the one it saw before masking.
    public var erasureCount: Int {
        sealing.withLock { $0.erased.count }
    }

    /// Every erased subject with its erasure time (ms since the epoch).
    public func erasedSubjects() throws(KeyRingError) -> [String: Int64] {
        do {
            return try storage.read { reader in
                var out: [String: Int64] = [:]
                try reader.scan(Self.erasedTable) { key, value in
                    out[String(decoding: key, as: UTF8.self)] = value.count == 8 ? Int64(bigEndian: value.loadUnaligned(as: Int64.self)) : 0
                    return true
                }
                return out
            }
        } catch {
            throw KeyRingError(wrapping: error)
        }
    }

    /// The subject `subject` belongs to, if a link was recorded.
    public func owner(of subject: String) throws(KeyRingError) -> String? {
        do {
            return try storage.read { try $0.get(Self.ownerTable, Array(subject.utf8)) }.map { String(decoding: $0, as: UTF8.self) }
        } catch {
            throw KeyRingError(wrapping: error)
        }
    }

    /// `subject` and every subject it owns, transitively (a customer, its contacts and opportunities).
    public func subjectsOwned(by subject: String) throws(KeyRingError) -> [String] {
        var result: [String] = []
        var pending = [subject]
        var seen: Set<String> = []
        do {
            try storage.read { reader in
                while let next = pending.popLast() {
                    guard seen.insert(next).inserted else { continue }
                    result.append(next)
                    let prefix = Array(next.utf8) + [0]
                    try reader.scan(Self.ownedTable, from: prefix) { key, _ in
                        guard key.count > prefix.count, key.starts(with: prefix) else { return false }
                        pending.append(String(decoding: key[prefix.count...], as: UTF8.self))
                        return true
                    }
                }
            }
        } catch {
            throw KeyRingError(wrapping: error)
        }
        return result
    }

    /// Number of stored data keys: slots (used or still free) and keys of earlier versions.
    public func keyCount() -> Int {
        (try? storage.read { $0.count(Self.keysTable) + $0.count(Self.slotsTable) }) ?? 0
    }

    /// Erases `subject`: records it on the erasure list (synced), leaves a tombstone (from now on
    /// the subject takes no personal data and none of its events opens), and overwrites, then
    /// deletes, its key of an earlier version. Returns false if it was already erased.
    ///
    /// The subject's slots are in the log, not here: the caller destroys them with `destroySlots`
    /// once no append can add one (`SubjectErasure`). Order matters for crashes: once the list has
    /// the line, any later open finishes the job.
    @discardableResult
    public func erase(_ subject: String, at milliseconds: Int64) throws(KeyRingError) -> Bool {
        guard Self.isValid(subject) else { throw .invalidSubject(subject) }
        if try Self.isErased(subject, in: storage) { return false }
        if try erasures.entries()[subject] == nil {
            try erasures.append(subject: subject, at: milliseconds)
        }
        sealing.withLock { state in
            state.erased.insert(subject)
            state.keys[subject] = nil
        }
        try Self.destroy(subject, at: milliseconds, in: storage)
        return true
    }

    /// Overwrites, then deletes, the keys in `slots` (the slots the log lists for an erased
    /// subject). Slots already gone are skipped.
    public func destroySlots(_ slots: [UInt64]) throws(KeyRingError) {
        guard !slots.isEmpty else { return }
        do {
            try Self.shred(Self.slotsTable, slots.map { BigEndian.bytes($0) }, in: storage)
        } catch {
            throw .storage("cannot destroy the keys of slots \(slots): \(error)")
        }
        slotCache.withLock { cache in for slot in slots { cache[slot] = nil } }
        sealing.withLock { state in state.free.removeAll { $0.slot.map(slots.contains) ?? false } }
    }

    /// Re-wraps every data key (and the pseudonym secret) under `newKey` in one transaction; the
    /// log is not touched. The caller replaces the key file afterwards.
    public func rotate(to newKey: MasterKey) throws(KeyRingError) -> Int {
        let old = master.withLock { $0 }
        do {
            let count = try storage.write { writer -> Int in
                var entries: [([UInt8], [UInt8])] = []
                try writer.reader.scan(Self.keysTable) { key, value in
                    entries.append((Array(key), Array(value)))
                    return true
                }
                for (name, wrapped) in entries {
                    let subject = String(decoding: name, as: UTF8.self)
                    let key = try old.unwrap(wrapped, subject: subject)
                    try writer.put(Self.keysTable, name, newKey.wrap(key, subject: subject))
                }
                var slots: [([UInt8], [UInt8])] = []
                try writer.reader.scan(Self.slotsTable) { key, value in
                    slots.append((Array(key), Array(value)))
                    return true
                }
                for (name, wrapped) in slots {
                    let slotName = Self.slotName(name.withUnsafeBytes { BigEndian.uint64($0) })
                    let key = try old.unwrap(wrapped, subject: slotName)
                    try writer.put(Self.slotsTable, name, newKey.wrap(key, subject: slotName))
                }
                entries += slots
                guard let wrappedSecret = try writer.reader.get(Self.metaTable, Self.pseudonymKey) else {
                    throw KeyRingError.storage("the keys environment has no pseudonym secret")
                }
                let secret = try old.cipher.open(wrappedSecret, associatedData: Self.pseudonymKey)
                try writer.put(Self.metaTable, Self.pseudonymKey, newKey.cipher.seal(secret, associatedData: Self.pseudonymKey))
                try writer.put(Self.metaTable, Self.masterIdKey, Array(newKey.id.utf8))
                try writer.put(Self.metaTable, Self.checkKey,
                               newKey.cipher.seal(Array(Self.checkSubject.utf8), associatedData: Array(Self.checkSubject.utf8)))
                return entries.count
            }
            master.withLock { $0 = newKey }
            return count
        } catch let error as KeyRingError {
            throw error
        } catch {
            throw KeyRingError(wrapping: error)
        }
    }

    /// A stable stand-in for `subject` that reveals nothing about it (HMAC-SHA-256 under a secret
    /// kept wrapped in this environment, so it survives key rotation): `anon-` and 16 hex digits.
    public func pseudonym(for subject: String) -> String {
        let code = pseudonyms.withLock { $0.authenticationCode(for: Array(subject.utf8)) }
        return "anon-" + Hex.encode(Array(code.prefix(8)))
    }

    // MARK: - Internals

    private func unwrap(_ wrapped: [UInt8], subject: String, slot: UInt64? = nil) throws(KeyRingError) -> DataKey {
        do { return try master.withLock { $0 }.unwrap(wrapped, subject: subject, slot: slot) } catch {
            throw .storage("the data key of \(subject) does not open under master key \(masterKeyId): \(error)")
        }
    }

    private static func isErased(_ subject: String, in storage: KeyValueStore) throws(KeyRingError) -> Bool {
        do { return try storage.read { try $0.get(Self.erasedTable, Array(subject.utf8)) } != nil } catch {
            throw KeyRingError(wrapping: error)
        }
    }

    /// Overwrites, then deletes the wrapped key, and writes the tombstone.
    private static func destroy(_ subject: String, at milliseconds: Int64, in storage: KeyValueStore) throws(KeyRingError) {
        let name = Array(subject.utf8)
        do {
            try shred(keysTable, [name], in: storage) { writer in
                try writer.put(erasedTable, name, withUnsafeBytes(of: milliseconds.bigEndian) { Array($0) })
            }
        } catch {
            throw .storage("cannot erase \(subject): \(error)")
        }
    }

    /// Overwrites the wrapped keys at `names` with zeros in one synced commit, then deletes them
    /// (and runs `last`) in a second, so the deleted key's page is a page of zeros, not of key bytes.
    private static func shred(_ table: Int, _ names: [[UInt8]], in storage: KeyValueStore,
                              then last: (KeyValueWriter) throws -> Void = { _ in }) throws {
        try storage.write { writer in
            for name in names {
                if let wrapped = try writer.reader.get(table, name) {
                    try writer.put(table, name, [UInt8](repeating: 0, count: wrapped.count))
                }
            }
        }
        try storage.write { writer in
            for name in names { try? writer.delete(table, name) }
            try last(writer)
        }
    }

    /// A subject id is what a record id may be: 1…200 bytes, no control characters.
    static func isValid(_ subject: String) -> Bool {
        !subject.isEmpty && subject.utf8.count <= 200 && !subject.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
