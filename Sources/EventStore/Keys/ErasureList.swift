import Foundation

/// The subjects ever erased, kept beside the master key (`<master key file>.erasures`) and never in
/// the data directory's backups.
///
/// A backup taken before an erasure still holds the erased subject's wrapped key; restoring it
/// must not bring the person back. The keys environment re-applies this list every time it opens,
/// so the erasure survives any restore made with the same master key file.
///
/// One line per erasure, appended and synced before the key is destroyed:
/// `<subject>\t<erased at, ms since the epoch>`.
public struct ErasureList: Sendable {
    /// The file's path.
    public let path: String

    /// The list that belongs to a master key file.
    public init(masterKeyPath: String) {
        path = masterKeyPath + ".erasures"
    }

    /// Every erased subject with the time of its (first) erasure.
    public func entries() throws(KeyRingError) -> [String: Int64] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else { throw .storage("cannot read \(path)") }
        var result: [String: Int64] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "\t")
            // A torn last line (a crash mid-append) has no tab or no time: the erasure it began was
            // not acknowledged, and its key still exists; skip it.
            guard parts.count == 2, let at = Int64(parts[1]) else { continue }
            let subject = String(parts[0])
            if result[subject] == nil { result[subject] = at }
        }
        return result
    }

    /// Records an erasure durably.
    func append(subject: String, at milliseconds: Int64) throws(KeyRingError) {
        try DurableFile.appendLine("\(subject)\t\(milliseconds)", to: path)
    }
}
