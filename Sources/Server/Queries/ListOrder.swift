/// The `order` of a sorted list.
enum ListOrder: String, CaseIterable {
    case asc, desc
}
