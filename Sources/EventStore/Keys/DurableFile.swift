import Foundation

/// Small files that must survive a crash the moment a call returns: key files and the erasure list.
enum DurableFile {
    /// Writes `bytes` to a temporary file, syncs it, renames it over `path` and syncs the directory,
    /// so `path` holds either the old or the new content, never a torn one.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(KeyRingError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw .storage("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw .storage("cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .storage("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        syncDirectory(of: path)
    }

    /// Appends one line and syncs it before returning.
    static func appendLine(_ line: String, to path: String) throws(KeyRingError) {
        let existed = FileManager.default.fileExists(atPath: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw .storage("cannot open \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else { throw .storage("cannot append to \(path)") }
        if !existed { syncDirectory(of: path) }
    }

    private static func syncDirectory(of path: String) {
        let parent = (path as NSString).deletingLastPathComponent
        let dir = open(parent.isEmpty ? "." : parent, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
    }
}
