/// A TLS file that parsed but cannot be served with.
public struct TLSFilesError: Error, CustomStringConvertible {
    public var detail: String
    public var description: String { detail }
}
