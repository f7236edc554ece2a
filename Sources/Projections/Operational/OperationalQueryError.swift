/// Why an operational query refused its arguments.
public enum OperationalQueryError: Error, Equatable, Sendable {
    /// The cursor was not produced by the same query (other filter or sort) or was altered.
    case badCursor(String)
}
