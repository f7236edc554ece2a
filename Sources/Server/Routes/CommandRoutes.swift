import Hummingbird

/// (Being built.)
struct CommandRoutes {
    let dependencies: APIDependencies

    func add(to router: Router<CRMRequestContext>) {}
}
