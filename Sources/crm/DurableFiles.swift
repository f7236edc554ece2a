import Foundation

/// The file-system steps backup, restore and compact build on: writes that are on disk before a
/// rename publishes them, and renames that are on disk before the command reports success.
enum DurableFiles {
    /// Why a step failed, with the path and the system's reason.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `fsync(2)` on a file or a directory (a directory's entry changes — renames, creations —
    /// are durable only after the directory itself is synced).
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(description: "fsync \(path): \(String(cString: strerror(errno)))") }
    }

    /// `rename(2)`: atomic within one file system.
    static func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw Failure(description: "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates (truncating) `path` for writing, readable by its owner only (backups hold
    /// tokens' hashes and data keys under the master key).
    static func create(_ path: String) throws -> FileHandle {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Writes `bytes` to `path` through a temporary file, synced, then renamed over `path`.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temporary = path + ".tmp-\(getpid())"
        do {
            let handle = try create(temporary)
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
            try handle.close()
            try rename(temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// The resolved absolute path (symbolic links followed) of an existing file or directory.
    static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// Whether `path` (existing or not; its parent must exist) lies inside `directory`.
    static func isInside(_ path: String, _ directory: String) -> Bool {
        let url = URL(fileURLWithPath: path)
        guard let parent = resolved(url.deletingLastPathComponent().path), let root = resolved(directory) else { return false }
        let full = parent + "/" + url.lastPathComponent
        return full == root || full.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Size of a file, 0 when it does not exist.
    static func size(_ path: String) -> UInt64 {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Free and total bytes of the file system holding `path`.
    static func space(at path: String) -> (free: UInt64, total: UInt64)? {
        var facts = statvfs()
        guard statvfs(path, &facts) == 0 else { return nil }
        return (UInt64(facts.f_bavail) * UInt64(facts.f_frsize), UInt64(facts.f_blocks) * UInt64(facts.f_frsize))
    }

    /// A fresh name for a work directory inside `directory`, hidden (a leading dot), so that
    /// nothing else mistakes it for part of the store.
    static func workDirectory(in directory: String, purpose: String) -> String {
        "\(directory)/.\(purpose)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
