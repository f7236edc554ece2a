import HTTPTypes

extension HTTPField.Name {
    /// The log head (last position) an answer reflects; present on every response.
    static let logPosition = HTTPField.Name("X-Log-Position")!
}
