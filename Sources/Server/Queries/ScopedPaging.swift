/// Pagination of a read-model page source under a row-level filter.
///
/// A read model's pages are ordered and cursor-addressed, but cannot filter by a set of managers.
/// `collect` asks the source for exactly as many rows as are still missing, keeps those in scope,
/// and repeats from the page's own cursor: every fetched page is consumed whole, so the returned
/// cursor is the source's cursor after the last row looked at, and the next call resumes there
/// without skipping or repeating a row.
enum ScopedPaging {
    /// Up to `limit` rows passing `keep`, starting after `cursor`, and the cursor after them (nil
    /// when the source is exhausted).
    static func collect<Item>(limit: Int, cursor: String?, fetch: (String?, Int) throws -> (items: [Item], next: String?),
                              keep: (Item) -> Bool) throws -> (items: [Item], next: String?) {
        var kept: [Item] = []
        var cursor = cursor
        while true {
            let page = try fetch(cursor, limit - kept.count)
            kept.append(contentsOf: page.items.filter(keep))
            guard let next = page.next else { return (kept, nil) }
            cursor = next
            if kept.count >= limit { return (kept, next) }
        }
    }
}
