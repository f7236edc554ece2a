import EventStore
import Foundation
import Hummingbird
import Projections

/// Customer queries: the list, the 360, the state cycle of one customer and its sales cycles.
extension QueryRoutes {
    /// `GET /v1/customers`: filtered (`segment`, `region`, `manager`, `state`, `tag`, and
    /// `valueGrade`, the state cycle's current value grade, read from that model at the same
    /// `asOf`), sorted
    /// (`sort` = name | registeredAt | outstanding, `order` = asc | desc), cursor-paginated; only
    /// the customers in the caller's scope. A page with names is recorded as one access listing
    /// its customers.
    @Sendable func customerList(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        let purpose = try AccessRecorder.purpose(request, principal: context.principal)
        let filter = CustomerListFilter(
            segment: try query.identifier("segment"), region: try query.identifier("region"),
            managerId: try query.identifier("manager"), state: try query.choice("state", CustomerLifecycleState.self),
            tag: try query.identifier("tag"))
        let sort = try query.choice("sort", CustomerListSort.self) ?? .name
        let descending = try query.choice("order", ListOrder.self) == .desc
        let limit = try query.limit(default: 50)
        let cursor = try QueryCursor.parameter(query)
        let scope = try scope(context)
        var graded: Set<String>?
        if let grade = try query.choice("valueGrade", ValueGrade.self) {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            graded = try await read("stateCycle", query) { reader in
                Set(try StateCycleQueries.customers(reader, .value(grade), at: now, limit: Int.max).customerIds)
            }
        }
        let mask = mask
        let (page, position) = try await read("customer360", query) { [graded] reader in
            var page = try ScopedPaging.collect(limit: limit, cursor: cursor, fetch: { after, count in
                let page = try CustomerList.query(reader, filter: filter, sort: sort, descending: descending, after: after, limit: count)
                return (page.items, page.nextCursor)
            }, keep: { item in
                scope.allows(manager: item.managerId) && (graded?.contains(item.customerId) ?? true)
            })
            mask?.apply(to: &page.items)
            return (QueryPage(items: page.items, next: page.next.map(QueryCursor.encode), position: reader.position), reader.position)
        }
        try await recorder.record(PersonalDataRead(customers: page.items), route: "GET /v1/customers",
                                  filters: Self.accessFilters(request), purpose: purpose, context: context)
        return try QueryAnswer(position: position, encoding: page)
    }

    /// `GET /v1/customers/{id}`: the customer 360; 404 when unknown or out of scope. Recorded as an
    /// access of the customer and its contacts, with the personal fields it carried.
    ///
    /// The encoded answer is kept (`Customer360Cache`) and served again while the request's own
    /// snapshot holds the bytes it was built from and nothing was erased since; `asOf` reads
    /// bypass it.
    @Sendable func customer(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let id = try context.pathIdentifier("id")
        let query = QueryParameters(request)
        let purpose = try AccessRecorder.purpose(request, principal: context.principal)
        let scope = try scope(context)
        let mask = mask
        let cache = dependencies.customer360Cache
        let keyRing = dependencies.keyRing
        let live = request.uri.queryParameters.get("asOf") == nil
        let cached = live ? cache.entry(id) : nil
        let found = try await read("customer360", query) { reader -> (Customer360Cache.Entry?, UInt64) in
            // Read before masking: an erasure from here on makes the entry stale.
            let erasures = keyRing?.erasureCount ?? 0
            if let cached, cached.erasures == erasures, try cached.source.isUnchanged(in: reader) {
                return (cached, reader.position)
            }
            let (found, source) = try reader.recordingReads { reader in try Customer360.query(reader, customerId: id) }
            guard var customer = found else { return (nil, reader.position) }
            mask?.apply(to: &customer)
            let entry = Customer360Cache.entry(body: try JSONBody.encode(customer), source: source, erasures: erasures,
                                               managerId: customer.managerId, personalData: PersonalDataRead(customer: customer))
            return (entry, reader.position)
        }
        guard let entry = found.0, scope.allows(manager: entry.managerId) else {
            throw APIError.notFound("no customer \(id) as of position \(found.1)")
        }
        if live { cache.store(id, entry) }
        // A read of a person's data is itself part of the audit trail, whoever reads it.
        try await recorder.record(entry.personalData, route: "GET /v1/customers/{id}",
                                  subject: DataSubject.customer(id), filters: Self.accessFilters(request), purpose: purpose,
                                  context: context)
        return entry.answer(at: found.1)
    }

    /// 404 unless customer `id` exists (as of the query's `asOf`) and is in the caller's scope.
    func requireCustomerInScope(_ id: String, _ query: QueryParameters, _ context: CRMRequestContext) async throws {
        let scope = try scope(context)
        let manager = try await read("customer360", query) { reader -> String?? in
            guard let record = try Customer360.query(reader, customerId: id) else { return .none }
            return .some(record.managerId)
        }
        guard case .some(let managerId) = manager, scope.allows(manager: managerId) else {
            throw APIError.notFound("no customer \(id)")
        }
    }

    /// `GET /v1/customers/{id}/states`: the customer's state intervals, oldest first, paginated.
    @Sendable func customerStates(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let id = try context.pathIdentifier("id")
        let query = QueryParameters(request)
        let limit = try query.limit()
        let cursor = try QueryCursor.parameter(query)
        try await requireCustomerInScope(id, query, context)
        return try await answer("stateCycle", query) { reader in
            let page = try StateCycleQueries.history(reader, customerId: id, after: cursor, limit: limit)
            return QueryPage(items: page.intervals, next: page.next.map(QueryCursor.encode), position: reader.position)
        }
    }

    /// `GET /v1/customers/{id}/state?at=`: the customer's state at a business time (default now).
    @Sendable func customerState(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let id = try context.pathIdentifier("id")
        let query = QueryParameters(request)
        let at = try query.timestamp("at") ?? Int64(Date().timeIntervalSince1970 * 1000)
        try await requireCustomerInScope(id, query, context)
        let (state, position) = try await read("stateCycle", query) { reader in
            (try StateCycleQueries.state(reader, customerId: id, at: at), reader.position)
        }
        guard let state else { throw APIError.notFound("customer \(id) had no state at that time") }
        return try QueryAnswer(position: position, encoding: state)
    }

    /// `GET /v1/customers/{id}/sales-cycles`: the customer's opportunities' cycles, opening order.
    @Sendable func customerSalesCycles(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let id = try context.pathIdentifier("id")
        let query = QueryParameters(request)
        try await requireCustomerInScope(id, query, context)
        let (cycles, position) = try await read("salesCycle", query) { reader in
            (try SalesCycleQueries.cycles(reader, customerId: id), reader.position)
        }
        guard let cycles else {
            return try QueryAnswer(position: position, encoding: NoSalesCycles(customerId: id, absorbed: [], cycles: []))
        }
        return try QueryAnswer(position: position, encoding: cycles)
    }
}
