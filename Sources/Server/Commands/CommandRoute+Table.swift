import Domain
import Foundation
import HTTPTypes

extension CommandRoute {
    /// Every command route: one row per command of `CommandCatalog.all`, plus `MergeCustomers` and
    /// `ConvertLead`. Resource-style paths: a creation posts to the collection, a change posts to
    /// a sub-resource of the record (`/v1/opportunities/{id}/stage`).
    static let all: [CommandRoute] = customers + sales + billing + service + marketing + work + organisation

    /// Customers, contacts, consents, tags, interactions, merges (`customers.write`).
    static let customers: [CommandRoute] = {
        let p = Permission.customersWrite, t = "customers"
        let contact = [("id", "customerId"), ("contactId", "contactId")]
        return [
            register,
            profile,
            single(ClassifyCustomer.self, "/v1/customers/{id}/classification", "Classify a customer", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            single(AssignCustomerManager.self, "/v1/customers/{id}/manager", "Hand a customer to a manager", tag: t, permission: p,
                   scope: { [.customer($0.customerId), .manager($0.managerId)] }),
            single(AddContact.self, "/v1/customers/{id}/contacts", "Add a contact person", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            single(ChangeContact.self, "/v1/customers/{id}/contacts/{contactId}", "Change a contact person", tag: t, permission: p,
                   path: contact, scope: { [.customer($0.customerId)] }),
            single(RemoveContact.self, method: .delete, "/v1/customers/{id}/contacts/{contactId}", "Remove a contact person", tag: t,
                   permission: p, path: contact, scope: { [.customer($0.customerId)] }),
            single(RecordConsent.self, "/v1/customers/{id}/consents", "Record a consent given or withdrawn", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            single(SetCustomerActive.self, "/v1/customers/{id}/active", "Deactivate or reactivate a customer", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            single(TagCustomer.self, "/v1/customers/{id}/tags", "Tag or untag a customer", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            single(LogInteraction.self, "/v1/customers/{id}/interactions", "Log an interaction", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            merge,
        ]
    }()

    /// Leads, sales processes, opportunities, quotes, orders (`sales.write`).
    static let sales: [CommandRoute] = {
        let p = Permission.salesWrite
        let opportunity: @Sendable (String) -> [ScopeTarget] = { [.opportunity($0)] }
        return [
            single(CaptureLead.self, "/v1/leads", "Capture a lead", tag: "leads", permission: p, creates: true),
            single(QualifyLead.self, "/v1/leads/{id}/qualify", "Qualify a lead", tag: "leads", permission: p),
            single(DisqualifyLead.self, "/v1/leads/{id}/disqualify", "Disqualify a lead", tag: "leads", permission: p),
            convert,
            single(DefineSalesProcess.self, "/v1/sales-processes", "Define a sales process", tag: "sales", permission: p, creates: true),
            single(ReviseSalesProcess.self, "/v1/sales-processes/{id}/revisions", "Revise a sales process", tag: "sales", permission: p),
            single(OpenOpportunity.self, "/v1/opportunities", "Open an opportunity", tag: "sales", permission: p, creates: true,
                   scope: { [.customer($0.customerId), .manager($0.ownerId)] }),
            single(SetOpportunityFields.self, "/v1/opportunities/{id}/fields", "Set an opportunity's fields", tag: "sales", permission: p,
                   scope: { opportunity($0.opportunityId) }),
            single(MoveOpportunityStage.self, "/v1/opportunities/{id}/stage", "Move an opportunity to another stage", tag: "sales",
                   permission: p, scope: { opportunity($0.opportunityId) }),
            single(ChangeOpportunityAmount.self, "/v1/opportunities/{id}/amount", "Change an opportunity's amount", tag: "sales",
                   permission: p, scope: { opportunity($0.opportunityId) }),
            single(ChangeOpportunityCloseDate.self, "/v1/opportunities/{id}/close-date", "Change an opportunity's expected close date",
                   tag: "sales", permission: p, scope: { opportunity($0.opportunityId) }),
            single(ReassignOpportunity.self, "/v1/opportunities/{id}/owner", "Hand an opportunity to another owner", tag: "sales",
                   permission: p, scope: { opportunity($0.opportunityId) + [.manager($0.ownerId)] }),
            single(AdoptSalesProcessRevision.self, "/v1/opportunities/{id}/process", "Move an opportunity to a newer process revision",
                   tag: "sales", permission: p, scope: { opportunity($0.opportunityId) }),
            single(WinOpportunity.self, "/v1/opportunities/{id}/win", "Win an opportunity", tag: "sales", permission: p,
                   scope: { opportunity($0.opportunityId) }),
            single(LoseOpportunity.self, "/v1/opportunities/{id}/lose", "Lose an opportunity", tag: "sales", permission: p,
                   scope: { opportunity($0.opportunityId) }),
            single(ReopenOpportunity.self, "/v1/opportunities/{id}/reopen", "Reopen a closed opportunity", tag: "sales", permission: p,
                   scope: { opportunity($0.opportunityId) }),
            single(IssueQuote.self, "/v1/quotes", "Issue a quote", tag: "sales", permission: p, creates: true,
                   scope: { [.customer($0.customerId)] + ($0.opportunityId.map { [.opportunity($0)] } ?? []) }),
            single(ReviseQuote.self, "/v1/quotes/{id}/revisions", "Revise a quote", tag: "sales", permission: p,
                   scope: { [.quote($0.quoteId)] }),
            single(AcceptQuote.self, "/v1/quotes/{id}/accept", "Accept a quote", tag: "sales", permission: p,
                   scope: { [.quote($0.quoteId)] }),
            single(RejectQuote.self, "/v1/quotes/{id}/reject", "Reject a quote", tag: "sales", permission: p,
                   scope: { [.quote($0.quoteId)] }),
            single(PlaceOrder.self, "/v1/orders", "Place an order", tag: "sales", permission: p, creates: true,
                   scope: { [.customer($0.customerId)] + ($0.quoteId.map { [.quote($0)] } ?? []) }),
            single(FulfillOrder.self, "/v1/orders/{id}/fulfil", "Fulfil an order", tag: "sales", permission: p,
                   scope: { [.order($0.orderId)] }),
            single(CancelOrder.self, "/v1/orders/{id}/cancel", "Cancel an order", tag: "sales", permission: p,
                   scope: { [.order($0.orderId)] }),
        ]
    }()

    /// Invoices and payments (`billing.write`).
    static let billing: [CommandRoute] = {
        let p = Permission.billingWrite, t = "billing"
        return [
            single(IssueInvoice.self, "/v1/invoices", "Issue an invoice", tag: t, permission: p, creates: true,
                   scope: { [.customer($0.customerId)] + ($0.orderId.map { [.order($0)] } ?? []) }),
            single(RecordPayment.self, "/v1/invoices/{id}/payments", "Record a payment", tag: t, permission: p,
                   scope: { [.invoice($0.invoiceId)] }),
            single(MarkInvoiceOverdue.self, "/v1/invoices/{id}/overdue", "Mark an invoice overdue", tag: t, permission: p,
                   scope: { [.invoice($0.invoiceId)] }),
            single(WriteOffInvoice.self, "/v1/invoices/{id}/write-off", "Write an invoice off", tag: t, permission: p,
                   scope: { [.invoice($0.invoiceId)] }),
        ]
    }()

    /// Service cases and satisfaction surveys (`service.write`).
    static let service: [CommandRoute] = {
        let p = Permission.serviceWrite, t = "service"
        return [
            single(OpenCase.self, "/v1/cases", "Open a service case", tag: t, permission: p, creates: true,
                   scope: { [.customer($0.customerId)] }),
            single(AssignCase.self, "/v1/cases/{id}/assignment", "Assign a case to an agent", tag: t, permission: p,
                   scope: { [.serviceCase($0.caseId)] }),
            single(RecordFirstResponse.self, "/v1/cases/{id}/first-response", "Record the first response", tag: t, permission: p,
                   scope: { [.serviceCase($0.caseId)] }),
            single(EscalateCase.self, "/v1/cases/{id}/escalate", "Escalate a case", tag: t, permission: p,
                   scope: { [.serviceCase($0.caseId)] }),
            single(ChangeCaseStatus.self, "/v1/cases/{id}/status", "Change a case's status", tag: t, permission: p,
                   scope: { [.serviceCase($0.caseId)] }),
            single(ResolveCase.self, "/v1/cases/{id}/resolve", "Resolve a case", tag: t, permission: p,
                   scope: { [.serviceCase($0.caseId)] }),
            single(ReopenCase.self, "/v1/cases/{id}/reopen", "Reopen a case", tag: t, permission: p,
                   scope: { [.serviceCase($0.caseId)] }),
            single(CloseCase.self, "/v1/cases/{id}/close", "Close a case", tag: t, permission: p,
                   scope: { [.serviceCase($0.caseId)] }),
            single(SendSurvey.self, "/v1/surveys", "Send a satisfaction survey", tag: t, permission: p, creates: true,
                   scope: { [.customer($0.customerId)] + ($0.caseId.map { [.serviceCase($0)] } ?? []) }),
            single(AnswerSurvey.self, "/v1/surveys/{id}/answer", "Record a survey's answer", tag: t, permission: p,
                   scope: { [.survey($0.surveyId)] }),
        ]
    }()

    /// Campaigns (`marketing.write`).
    static let marketing: [CommandRoute] = {
        let p = Permission.marketingWrite, t = "marketing"
        return [
            single(PlanCampaign.self, "/v1/campaigns", "Plan a campaign", tag: t, permission: p, creates: true),
            single(LaunchCampaign.self, "/v1/campaigns/{id}/launch", "Launch a campaign", tag: t, permission: p),
            single(TargetCampaignMember.self, "/v1/campaigns/{id}/members", "Target a customer", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            single(RecordCampaignResponse.self, "/v1/campaigns/{id}/responses", "Record a customer's response", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            single(RecordCampaignConversion.self, "/v1/campaigns/{id}/conversions", "Record a conversion", tag: t, permission: p,
                   scope: { [.customer($0.customerId)] }),
            single(CloseCampaign.self, "/v1/campaigns/{id}/close", "Close a campaign", tag: t, permission: p),
        ]
    }()

    /// Work plans, work logs and tasks (`work.write`).
    static let work: [CommandRoute] = {
        let p = Permission.workWrite, t = "work"
        return [
            single(PlanWork.self, "/v1/managers/{id}/work-plans", "Make a work plan", tag: t, permission: p,
                   scope: { [.manager($0.managerId)] }),
            single(ReviseWorkPlan.self, "/v1/managers/{id}/work-plans/{planId}/revisions", "Revise a work plan", tag: t,
                   permission: p, path: [("id", "managerId"), ("planId", "planId")], scope: { [.manager($0.managerId)] }),
            single(LogWork.self, "/v1/managers/{id}/work-log", "Log work", tag: t, permission: p,
                   scope: { [.manager($0.managerId)] + ($0.customerId.map { [.customer($0)] } ?? []) }),
            single(AssignWorkTask.self, "/v1/tasks", "Assign a task", tag: t, permission: p, creates: true,
                   scope: { [.manager($0.managerId), .customer($0.customerId)] }),
            single(ReassignWorkTask.self, "/v1/tasks/{id}/reassign", "Hand a task to another manager", tag: t, permission: p,
                   scope: { [.task($0.taskId), .manager($0.managerId)] }),
            single(CompleteWorkTask.self, "/v1/tasks/{id}/complete", "Complete a task", tag: t, permission: p,
                   scope: { [.task($0.taskId)] }),
            single(MarkWorkTaskOverdue.self, "/v1/tasks/{id}/overdue", "Mark a task overdue", tag: t, permission: p,
                   scope: { [.task($0.taskId)] }),
            single(CancelWorkTask.self, "/v1/tasks/{id}/cancel", "Cancel a task", tag: t, permission: p,
                   scope: { [.task($0.taskId)] }),
        ]
    }()

    /// Teams and membership (`organisation.write`, admins only).
    static let organisation: [CommandRoute] = [
        single(DefineTeam.self, "/v1/teams", "Define a team", tag: "organisation", permission: .organisationWrite, creates: true),
        single(AssignManagerToTeam.self, "/v1/teams/{id}/members", "Move a manager into a team", tag: "organisation",
               permission: .organisationWrite, path: [("id", "teamId")]),
    ]
}
