import Hummingbird

/// (Being built.)
struct OperationsRoutes {
    let dependencies: APIDependencies

    func add(to router: Router<CRMRequestContext>) {}
}
