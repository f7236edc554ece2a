import Foundation
import Synchronization

/// The data keys of every data subject, wrapped under the master key, in their own LMDB
/// environment (`<data>/keys`), apart from the log so that destroying a key never touches a hashed
/// byte of the chain.
///
/// Tables: `keys` (subject → master-key-wrapped data key), `erased` (subject → erased-at ms, the
/// tombstone that stops a key from ever being created again), `meta` (the master key's id, a check
/// value, and the wrapped secret behind pseudonyms), `owned` (owner ‖ 0 ‖ owned) and `owner`
/// (owned → owner): which subjects belong to which (a customer's contacts, opportunities and the
/// lead it came from), so erasing a customer erases everything personal about it. Every commit is synced: a data key must be on
/// disk before an event sealed with it is appended, or a crash could leave a durable event nobody
/// can read. Writes are rare (a new subject, an erasure, a rotation) and serialised by
/// `KeyValueStore`; reads run on snapshots and unwrapped keys are cached in memory.
public final class SubjectKeyRing: Sendable {
    /// The environment's directory name inside a data directory.
    public static let directoryName = "keys"

    private static let keysTable = 0
    private static let erasedTable = 1
    private static let metaTable = 2
    private static let ownedTable = 3
    private static let ownerTable = 4
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
    private let cache = Mutex<[String: DataKey]>([:])
    /// Links already stored (owned → owner), so a busy subject does not cost a write per event.
    private let knownLinks = Mutex<[String: String]>([:])
    /// Shares one synced transaction among concurrent commands that need new keys (`reserveKeys`).
    private let combiner: Mutex<KeyWriteCombiner?> = Mutex(nil)

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
            storage = try KeyValueStore(directory: directory, tables: ["keys", "erased", "meta", "owned", "owner"],
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

    /// The key of `subject`, or nil when it has none (never sealed anything, or erased).
    public func key(for subject: String) throws(KeyRingError) -> DataKey? {
        if let cached = cache.withLock({ $0[subject] }) { return cached }
        let wrapped: [UInt8]?
        do { wrapped = try storage.read { try $0.get(Self.keysTable, Array(subject.utf8)) } } catch {
            throw KeyRingError(wrapping: error)
        }
        guard let wrapped else { return nil }
        let key = try unwrap(wrapped, subject: subject)
        remember(key, for: subject)
        return key
    }

    /// The keys to seal new events of `subjects` with, creating (durably, in one transaction) those
    /// that do not exist yet, and recording `links` (owned → owner). Refuses an erased subject.
    public func sealingKeys(for subjects: Set<String>, links: [String: String] = [:]) throws(KeyRingError) -> [String: DataKey] {
        let (found, demand) = try known(subjects, links)
        guard let demand else { return found }
        return try found.merging(createKeys(for: [demand])[0].get()) { $1 }
    }

    /// `sealingKeys` for a command under concurrent load: the keys it creates are written in one
    /// synced transaction with those of every other command waiting (`KeyWriteCombiner`), so a
    /// burst of registrations costs a few syncs of the keys environment rather than one each.
    /// Afterwards `sealingKeys` finds them in memory.
    @discardableResult
    public func reserveKeys(for subjects: Set<String>, links: [String: String] = [:]) async throws(KeyRingError) -> [String: DataKey] {
        let (found, demand) = try known(subjects, links)
        guard let demand else { return found }
        let combiner = combiner.withLock { combiner in
            if let combiner { return combiner }
            let created = KeyWriteCombiner { [unowned self] demands in createKeys(for: demands) }
            combiner = created
            return created
        }
        return try await found.merging(combiner.submit(demand)) { $1 }
    }

    /// The cached keys of `subjects`, and what remains to be written (keys not cached, links not
    /// yet stored), if anything.
    private func known(_ subjects: Set<String>, _ links: [String: String]) throws(KeyRingError) -> ([String: DataKey], KeyWriteCombiner.Demand?) {
        var result: [String: DataKey] = [:]
        var missing: [String] = []
        var newLinks: [String: String] = [:]
        cache.withLock { cache in
            for subject in subjects {
                if let key = cache[subject] { result[subject] = key } else { missing.append(subject) }
            }
        }
        for (owned, owner) in links where knownLinks.withLock({ $0[owned] }) != owner { newLinks[owned] = owner }
        guard !missing.isEmpty || !newLinks.isEmpty else { return (result, nil) }
        for subject in missing + Array(newLinks.keys) + Array(newLinks.values) where !Self.isValid(subject) {
            throw .invalidSubject(subject)
        }
        return (result, KeyWriteCombiner.Demand(subjects: missing, links: newLinks))
    }

    /// One synced transaction for the keys and links of every waiting demand (`KeyWriteCombiner`):
    /// finds or creates each key, and answers each demand with its keys, or with the refusal of
    /// the first erased subject it named (the others are not held back by it).
    private func createKeys(for demands: [KeyWriteCombiner.Demand]) -> [KeyWriteCombiner.Outcome] {
        let master = master.withLock { $0 }
        do {
            let (keys, erased, links) = try storage.write { writer -> ([String: DataKey], Set<String>, [String: String]) in
                var erased: Set<String> = []
                for subject in Set(demands.flatMap(\.subjects)) where try writer.reader.get(Self.erasedTable, Array(subject.utf8)) != nil {
                    erased.insert(subject)
                }
                // A demand naming an erased subject writes nothing, as if it had been alone.
                let granted = demands.filter { !$0.subjects.contains(where: erased.contains) }
                var links: [String: String] = [:]
                for demand in granted { links.merge(demand.links) { $1 } }
                for (owned, owner) in links.sorted(by: { $0.key < $1.key }) {
                    try writer.put(Self.ownerTable, Array(owned.utf8), Array(owner.utf8))
                    try writer.put(Self.ownedTable, Array(owner.utf8) + [0] + Array(owned.utf8), [])
                }
                var keys: [String: DataKey] = [:]
                for subject in Set(granted.flatMap(\.subjects)).sorted() {
                    let name = Array(subject.utf8)
                    if let wrapped = try writer.reader.get(Self.keysTable, name) {
                        keys[subject] = try unwrap(wrapped, subject: subject)
                    } else {
                        let key = DataKey.generate()
                        try writer.put(Self.keysTable, name, master.wrap(key, subject: subject))
                        keys[subject] = key
                    }
                }
                return (keys, erased, links)
            }
            for (subject, key) in keys { remember(key, for: subject) }
            knownLinks.withLock { known in
                if known.count >= Self.cacheLimit { known.removeAll(keepingCapacity: true) }
                known.merge(links) { $1 }
            }
            return demands.map { demand in
                if let refused = demand.subjects.first(where: erased.contains) { return .failure(.subjectErased(refused)) }
                return .success(keys.filter { demand.subjects.contains($0.key) })
            }
        } catch {
            let failure = (error as? KeyRingError) ?? KeyRingError(wrapping: error)
            return demands.map { _ in .failure(failure) }
        }
    }

    /// Whether `subject` was erased.
    public func isErased(_ subject: String) throws(KeyRingError) -> Bool {
        try Self.isErased(subject, in: storage)
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

    /// Number of live data keys.
    public func keyCount() -> Int {
        (try? storage.read { $0.count(Self.keysTable) }) ?? 0
    }

    /// Erases `subject`: records it on the erasure list (synced), overwrites its wrapped key, then
    /// deletes it and leaves a tombstone. Returns false if it was already erased.
    ///
    /// Order matters for crashes: once the list has the line, any later open finishes the job.
    @discardableResult
    public func erase(_ subject: String, at milliseconds: Int64) throws(KeyRingError) -> Bool {
        guard Self.isValid(subject) else { throw .invalidSubject(subject) }
        if try Self.isErased(subject, in: storage) { return false }
        if try erasures.entries()[subject] == nil {
            try erasures.append(subject: subject, at: milliseconds)
        }
        try Self.destroy(subject, at: milliseconds, in: storage)
        _ = cache.withLock { $0.removeValue(forKey: subject) }
        return true
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

    private func unwrap(_ wrapped: [UInt8], subject: String) throws(KeyRingError) -> DataKey {
        do { return try master.withLock { $0 }.unwrap(wrapped, subject: subject) } catch {
            throw .storage("the data key of \(subject) does not open under master key \(masterKeyId): \(error)")
        }
    }

    private func remember(_ key: DataKey, for subject: String) {
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[subject] = key
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
            try storage.write { writer in
                if let wrapped = try writer.reader.get(keysTable, name) {
                    try writer.put(keysTable, name, [UInt8](repeating: 0, count: wrapped.count))
                }
            }
            try storage.write { writer in
                try? writer.delete(keysTable, name)
                try writer.put(erasedTable, name, withUnsafeBytes(of: milliseconds.bigEndian) { Array($0) })
            }
        } catch {
            throw .storage("cannot erase \(subject): \(error)")
        }
    }

    /// A subject id is what a record id may be: 1…200 bytes, no control characters.
    static func isValid(_ subject: String) -> Bool {
        !subject.isEmpty && subject.utf8.count <= 200 && !subject.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
