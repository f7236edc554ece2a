import Hummingbird

/// (Being built.)
struct FeedRoutes {
    let dependencies: APIDependencies

    func add(to router: Router<CRMRequestContext>) {}
}
