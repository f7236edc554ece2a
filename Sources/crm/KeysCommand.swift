import ArgumentParser
import EventStore
import Foundation
import Logging

/// `crm keys init|rotate`: the master key that wraps the data keys of personal data.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create or rotate the master key of personal-data encryption.",
        subcommands: [KeysInitCommand.self, KeysRotateCommand.self]
    )
}

/// `crm keys init`: a new master key file and the keys environment under it.
struct KeysInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the master key file (refuses to replace one) and the data directory's keys environment.",
        discussion: "Keep the key file and its .erasures list outside the data directory and its backups: whoever has the key and a backup can read personal data."
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var key: MasterKeyOptions

    func run() throws {
        let directory = try data.directory()
        let path = key.location(dataDirectory: directory)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure.exit("keys init", KeyRingError.masterKeyExists(path: path).description)
        }
        let ring = try key.open(dataDirectory: directory, create: true, command: "keys init")
        print("created master key \(ring.masterKeyId) in \(path) (mode 0600); data keys in \(directory)/\(SubjectKeyRing.directoryName)")
    }
}

/// `crm keys rotate`: re-wraps every data key under a new master key; the log is not touched.
struct KeysRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Re-wrap every data key under a new master key, then replace the key file.",
        discussion: """
            Stop the server first (the data directory's lock is taken). The new key is written to \
            <file>.new, the data keys are re-wrapped in one transaction, then <file>.new replaces \
            <file>. If the command is interrupted after the re-wrap, start-up says so and names \
            <file>.new.
            """
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var key: MasterKeyOptions

    func run() throws {
        let directory = try data.directory()
        let path = key.location(dataDirectory: directory)
        // The store's lock keeps a running server (which caches the old key) out.
        let store = try StoreOpening.openExisting(directory, command: "keys rotate")
        defer { store.close() }
        let ring = try key.open(dataDirectory: directory, create: false, command: "keys rotate")
        let old = ring.masterKeyId
        let pending = path + ".new"
        if FileManager.default.fileExists(atPath: pending) { try? FileManager.default.removeItem(atPath: pending) }
        do {
            let newKey = try MasterKey.create(file: pending)
            let count = try ring.rotate(to: newKey)
            guard rename(pending, path) == 0 else {
                throw CommandFailure.exit("keys rotate", "re-wrapped \(count) data keys, but cannot move \(pending) over \(path): move it by hand")
            }
            print("re-wrapped \(count) data keys under master key \(newKey.id) (was \(old)); \(path) now holds the new key")
        } catch let error as KeyRingError {
            throw CommandFailure.exit("keys rotate", error.description)
        }
    }
}
