import Domain

/// A record a command touches, for the row-level check (`CommandScope`): the check resolves each
/// to the managers (customer manager, opportunity owner, case agent, task holder) it belongs to.
enum ScopeTarget: Sendable, Equatable {
    /// A customer: its manager.
    case customer(String)
    /// A customer manager named by the command (a new owner, the holder of a plan): itself.
    case manager(String)
    /// An existing opportunity: its owner and its customer's manager.
    case opportunity(String)
    case quote(String)
    case order(String)
    case invoice(String)
    /// An existing service case: its agent and its customer's manager.
    case serviceCase(String)
    case survey(String)
    /// An existing work task: its holder and its customer's manager.
    case task(String)
}
