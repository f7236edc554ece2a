extension EventStore {
    /// Recomputes the chain over `[from, to]` (the whole log by default) and reports the first
    /// position where it breaks: an edited byte (hash mismatch), a removed event (a gap), a
    /// reordered or inserted event (position field differs from its key), a cut-off tail (the log
    /// ends before the recorded head), or a rewritten chain (a signed checkpoint disagrees). A signed
    /// checkpoint record that does not parse, or whose position differs from the key it is stored
    /// under (edited or moved), is named at that key.
    ///
    /// Reads in pages of `pageSize` events per read transaction; appends go on meanwhile and the
    /// range is fixed at the head seen when verification starts. A partial range trusts the stored
    /// hash at `from - 1` as its starting link. The algorithm is `ChainVerifier`'s, shared with
    /// `ReadOnlyLog`.
    public func verify(from: UInt64 = 1, to: UInt64? = nil, pageSize: Int = 16_384, progress: ((UInt64) -> Void)? = nil) throws(EventStoreError) -> VerificationReport {
        try verifier.verify(from: from, to: to, pageSize: pageSize, progress: progress)
    }

    private var verifier: ChainVerifier {
        ChainVerifier(env: env, dbs: dbs, key: configuration.checkpointKey)
    }
}
