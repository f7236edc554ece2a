/// Typed query parameters the read-model queries add to `QueryParameters`; every malformed value
/// is a 400 `invalid-parameter` naming the parameter and the values it accepts.
extension QueryParameters {
    /// One of an enumeration's raw values.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type = T.self) throws(APIError) -> T?
    where T.RawValue == String {
        guard let text = try identifier(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidParameter(name, "\(name) must be one of \(allowed), got '\(text)'")
        }
        return value
    }

    /// A comma-separated list whose order matters (`by=month,region`); empty entries are refused.
    func orderedList(_ name: String) throws(APIError) -> [String]? {
        guard let text = try identifier(name) else { return nil }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard !items.contains(where: \.isEmpty) else {
            throw .invalidParameter(name, "\(name) must be a comma-separated list without empty entries, got '\(text)'")
        }
        return items
    }

    /// A positive whole number within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = try identifier(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalidParameter(name, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }
}
