/// Every single-aggregate command type by its stable name, for decoding command files and API
/// bodies. (`MergeCustomers` and `ConvertLead` change several aggregates; `AnyCommand` names them.)
public enum CommandCatalog {
    public static let all: [any DomainCommand.Type] = [
        // Customers
        RegisterCustomer.self, ChangeCustomerProfile.self, ClassifyCustomer.self, AssignCustomerManager.self,
        AddContact.self, ChangeContact.self, RemoveContact.self, RecordConsent.self, SetCustomerActive.self,
        TagCustomer.self, LogInteraction.self,
        // Sales
        CaptureLead.self, QualifyLead.self, DisqualifyLead.self,
        DefineSalesProcess.self, ReviseSalesProcess.self,
        OpenOpportunity.self, SetOpportunityFields.self, MoveOpportunityStage.self, ChangeOpportunityAmount.self,
        ChangeOpportunityCloseDate.self, ReassignOpportunity.self, AdoptSalesProcessRevision.self,
        WinOpportunity.self, LoseOpportunity.self, ReopenOpportunity.self,
        IssueQuote.self, ReviseQuote.self, AcceptQuote.self, RejectQuote.self,
        PlaceOrder.self, FulfillOrder.self, CancelOrder.self,
        // Billing
        IssueInvoice.self, RecordPayment.self, MarkInvoiceOverdue.self, WriteOffInvoice.self,
        // Service
        OpenCase.self, AssignCase.self, RecordFirstResponse.self, EscalateCase.self, ChangeCaseStatus.self,
        ResolveCase.self, ReopenCase.self, CloseCase.self, SendSurvey.self, AnswerSurvey.self,
        // Marketing
        PlanCampaign.self, LaunchCampaign.self, TargetCampaignMember.self, RecordCampaignResponse.self,
        RecordCampaignConversion.self, CloseCampaign.self,
        // Work
        PlanWork.self, ReviseWorkPlan.self, LogWork.self,
        AssignWorkTask.self, ReassignWorkTask.self, CompleteWorkTask.self, MarkWorkTaskOverdue.self, CancelWorkTask.self,
        // Organisation
        DefineTeam.self, AssignManagerToTeam.self,
    ]

    public static let types: [String: any DomainCommand.Type] = {
        var byName: [String: any DomainCommand.Type] = [:]
        for type in all {
            precondition(byName[type.commandType] == nil, "command type \(type.commandType) listed twice")
            byName[type.commandType] = type
        }
        return byName
    }()
}
