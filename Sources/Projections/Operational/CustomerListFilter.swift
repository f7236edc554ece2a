import Domain
/// Which customers a list page shows; nil fields do not filter. Every non-nil field is an index
/// facet, so one filter plus a sort is a prefix scan; with several, the most selective present
/// facet (manager, tag, segment, region, state, in that order) is scanned and the others are
/// checked on each candidate.
public struct CustomerListFilter: Sendable, Codable, Equatable {
    public var segment: String?
    public var region: String?
    public var managerId: String?
    public var state: CustomerLifecycleState?
    public var tag: String?

    public init(segment: String? = nil, region: String? = nil, managerId: String? = nil,
                state: CustomerLifecycleState? = nil, tag: String? = nil) {
        self.segment = segment
        self.region = region
        self.managerId = managerId
        self.state = state
        self.tag = tag
    }

    /// The facet scanned: the first present of manager, tag, segment, region, state, else all.
    var scannedFacet: (facet: String, value: String) {
        if let managerId { return ("manager", managerId) }
        if let tag { return ("tag", tag) }
        if let segment { return ("segment", segment) }
        if let region { return ("region", region) }
        if let state { return ("state", state.rawValue) }
        return ("all", "")
    }

    /// Whether `record` passes every filter.
    func accepts(_ record: CustomerRecord) -> Bool {
        if let segment, record.classification?.segment != segment { return false }
        if let region, record.classification?.region != region { return false }
        if let managerId, record.managerId != managerId { return false }
        if let state, record.lifecycleState != state { return false }
        if let tag, !record.tags.contains(tag) { return false }
        return true
    }
}
