/// What an executed command did, before it becomes an HTTP answer: the stream it addressed, the
/// version that stream is at now, and the events written (none when the command changed nothing).
struct CommandOutcome: Sendable, Equatable {
    /// The stream of the record the route addresses (the survivor of a merge, the lead of a conversion).
    var stream: String
    /// That stream's version after the command.
    var streamVersion: UInt64
    /// Global positions of every event written, in order (several streams for a merge or conversion).
    var positions: [UInt64]
    /// Type names of the events written, in the same order.
    var eventTypes: [String]
}
