import CLMDB
import CSQLite
import Foundation

/// The facts a reader needs to judge figures from another machine: cores, kernel, filesystem and
/// library versions, and when it ran.
public struct MachineFacts: Sendable, Codable, Equatable {
    public var date: String
    public var processors: Int
    public var kernel: String
    public var dataDirectory: String
    public var filesystem: String
    public var sqliteVersion: String
    public var lmdbVersion: String

    /// Facts about this process's machine, for data kept under `directory`.
    static func current(dataDirectory directory: String) -> MachineFacts {
        var name = utsname()
        uname(&name)
        let kernel = [name.sysname, name.release, name.machine].map { field in
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }.joined(separator: " ")
        let formatter = ISO8601DateFormatter()
        return MachineFacts(
            date: formatter.string(from: Date()),
            processors: ProcessInfo.processInfo.activeProcessorCount,
            kernel: kernel,
            dataDirectory: directory,
            filesystem: filesystemName(of: directory),
            sqliteVersion: String(cString: sqlite3_libversion()),
            lmdbVersion: String(cString: mdb_version(nil, nil, nil)))
    }

    /// The filesystem type and backing device of `path`, from `/proc/self/mounts` (longest
    /// matching mount point), or "unknown".
    private static func filesystemName(of path: String) -> String {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return "unknown" }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var best: (mountPoint: String, description: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let mountPoint = String(fields[1])
            let inside = mountPoint == "/" || resolved == mountPoint || resolved.hasPrefix(mountPoint + "/")
            if inside, mountPoint.count >= (best?.mountPoint.count ?? -1) {
                best = (mountPoint, "\(fields[2]) on \(fields[0]) (mounted at \(mountPoint))")
            }
        }
        return best?.description ?? "unknown"
    }
}
