/// The operational read models (issue 4): customer 360 and list, pipeline, service queue,
/// follow-ups, campaign performance.
public enum OperationalProjectors {
    /// One of each, with default names and settings, in the order the engine should run them.
    public static var all: [any Projector] {
        [Customer360Projector(), PipelineProjector(), ServiceQueueProjector(), FollowUpProjector(), CampaignPerformanceProjector()]
    }
}
