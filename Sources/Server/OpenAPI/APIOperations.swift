/// The documented operations, one part per route group (`APIOperations+<Group>.swift`), each
/// kept beside its routes.
enum APIOperations {}
