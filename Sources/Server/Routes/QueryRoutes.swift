import Hummingbird

/// (Being built.)
struct QueryRoutes {
    let dependencies: APIDependencies

    func add(to router: Router<CRMRequestContext>) {}
}
