/// The event every subject stores: one realistic CRM event of about 200 bytes of JSON.
///
/// Every subject gets the same bytes and the same type name, so a difference in throughput is the
/// engine's, not the workload's.
enum BenchmarkPayload {
    /// The event type name (stored by the EventStore and the SQLite peer; the bare baseline stores data only).
    static let type = "CustomerContactUpdated"

    /// The event data: what a contact update in the CRM looks like, keys sorted as the store encodes them.
    static let data: [UInt8] = Array(
        #"{"company":"Analytical Engines Ltd","consent":true,"customerId":"8d2f6c1e-4b7a-4f2e-9c3d-5a1b2c3d4e5f","email":"ada.lovelace@example.com","name":"Ada Lovelace","phone":"+44 20 7946 0018","tier":"gold"}"#
            .utf8)
}
