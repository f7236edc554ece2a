/// The projectors a server runs and `crm rebuild` builds: every read model of the product.
public enum StandardProjectors {
    /// In a stable order (status lists and rebuild reports follow it).
    public static var all: [any Projector] {
        OperationalProjectors.all + [StateCycleProjector(), SalesCycleProjector(), CubeProjector(), AuditIndexProjector()]
    }
}
