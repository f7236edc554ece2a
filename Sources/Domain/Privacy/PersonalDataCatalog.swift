/// The one place that says which data of the domain is personal: for every event type, whose data
/// it carries and which of its string members are personal (sealed under that subject's key) and
/// which are not.
///
/// Personal: names, e-mail addresses, phone numbers, postal addresses, the organisation a person
/// works for, contact roles, free text about a person (interaction subjects and notes, case
/// subjects, descriptions and resolutions, survey and campaign comments, task titles, work-log
/// notes about a customer), opportunity titles (they name the customer: "Jane Roe: fleet renewal")
/// and opportunity field values (they name decision makers). Not personal: ids, codes,
/// enumerations, classifications, stage, product and process names, and the `reason` and outcome
/// texts of business decisions (the API asks callers to keep people's data out of them). Money and
/// times are not strings and need no declaration.
///
/// A value can only be sealed under a subject the event itself names; `WorkTaskCompleted.outcome`
/// and `WorkPlanned`/`WorkPlanRevised` `targets.notes` name none (a task's customer is on
/// `WorkTaskAssigned`, a plan is the manager's), so they are declared not personal and callers must
/// keep people's data out of them like out of reasons.
///
/// `PersonalDataCatalogTests` (ServerTests) probes every registered event type and checks that
/// every string member is declared exactly once, that no declaration names a member that does not
/// exist, and that every type still decodes with the erasure marker in its personal members.
public enum PersonalDataCatalog {
    /// Declarations by event type name.
    public static let declarations: [String: PersonalFields] = [
        // Customers
        "CustomerRegistered": .sealed("customer", "customerId", personal: ["name", "organisation", "email", "phone", "address"],
                                      notPersonal: ["customerId", "kind", "channel", "sourceCampaignId"]),
        "DuplicateAcknowledged": .open(["customerId", "matches[].customerId", "matches[].fields[]"]),
        "CustomerProfileChanged": .sealed("customer", "customerId", personal: ["changes[].old", "changes[].new"],
                                          notPersonal: ["customerId", "changes[].field"]),
        "CustomerClassified": .open(["customerId", "classification.segment", "classification.region", "classification.industry",
                                     "classification.size", "classification.tier", "previous.segment", "previous.region",
                                     "previous.industry", "previous.size", "previous.tier"]),
        "CustomerManagerAssigned": .open(["customerId", "managerId", "previousManagerId"]),
        "ContactAdded": .sealed("contact", "contactId", owner: ("customer", "customerId"), personal: ["name", "email", "phone", "role"],
                                notPersonal: ["customerId", "contactId"]),
        "ContactChanged": .sealed("contact", "contactId", owner: ("customer", "customerId"), personal: ["changes[].old", "changes[].new"],
                                  notPersonal: ["customerId", "contactId", "changes[].field"]),
        "ContactRemoved": .open(["customerId", "contactId"]),
        "ConsentGiven": .open(["customerId", "purpose"]),
        "ConsentWithdrawn": .open(["customerId", "purpose"]),
        "CustomerDeactivated": .open(["customerId", "reason"]),
        "CustomerReactivated": .open(["customerId", "reason"]),
        "CustomerTagged": .open(["customerId", "tag"]),
        "CustomerUntagged": .open(["customerId", "tag"]),
        "CustomerMerged": .open(["customerId", "absorbedId", "reason"]),
        "CustomerAbsorbed": .open(["customerId", "survivorId"]),
        "InteractionLogged": .sealed("customer", "customerId", personal: ["subject", "notes"],
                                     notPersonal: ["customerId", "interactionId", "channel", "direction", "outcome", "contactId",
                                                   "caseId", "opportunityId", "campaignId"]),
        "SubjectErased": .open(["subject", "erasedSubjects[]"]),
        "ExternalInteractionRecorded": .sealed("customer", "customerId", personal: ["subject"],
                                               notPersonal: ["customerId", "system", "externalId", "channel", "direction", "outcome"]),
        // Sales
        "LeadCaptured": .sealed("lead", "leadId", personal: ["name", "organisation", "email", "phone", "notes"],
                                notPersonal: ["leadId", "source", "campaignId"]),
        "LeadQualified": .open(["leadId", "reason"]),
        "LeadDisqualified": .open(["leadId", "reason"]),
        "LeadConverted": .link("lead", "leadId", owner: ("customer", "customerId"), notPersonal: ["leadId", "customerId", "opportunityId"]),
        "OpportunityOpened": .sealed("opportunity", "opportunityId", owner: ("customer", "customerId"), personal: ["title", "fields.*"],
                                     notPersonal: ["opportunityId", "customerId", "leadId", "processId", "stages[].name",
                                                   "stages[].requiredFields[]", "stage", "cycleKind", "ownerId"]),
        "OpportunityFieldsSet": .sealed("opportunity", "opportunityId", personal: ["changes[].old", "changes[].new"],
                                        notPersonal: ["opportunityId", "changes[].field"]),
        "OpportunityStageChanged": .open(["opportunityId", "fromStage", "toStage", "reason", "direction"]),
        "OpportunityAmountChanged": .open(["opportunityId", "reason"]),
        "OpportunityCloseDateChanged": .open(["opportunityId", "reason"]),
        "OpportunityOwnerChanged": .open(["opportunityId", "ownerId", "previousOwnerId"]),
        "OpportunityProcessRevisionAdopted": .open(["opportunityId", "processId", "stages[].name", "stages[].requiredFields[]"]),
        "OpportunityWon": .open(["opportunityId", "productIds[]", "stage"]),
        "OpportunityLost": .open(["opportunityId", "reason", "competitor", "stage"]),
        "OpportunityReopened": .open(["opportunityId", "previousStatus", "reason"]),
        "QuoteIssued": .open(["quoteId", "customerId", "opportunityId", "lines[].productId"]),
        "QuoteRevised": .open(["quoteId", "lines[].productId", "reason"]),
        "QuoteAccepted": .open(["quoteId"]),
        "QuoteRejected": .open(["quoteId", "reason"]),
        "OrderPlaced": .open(["orderId", "customerId", "quoteId", "opportunityId", "lines[].productId"]),
        "OrderFulfilled": .open(["orderId"]),
        "OrderCancelled": .open(["orderId", "reason"]),
        "SalesProcessDefined": .open(["processId", "name", "stages[].name", "stages[].requiredFields[]"]),
        "SalesProcessRevised": .open(["processId", "name", "reason", "stages[].name", "stages[].requiredFields[]"]),
        // Billing
        "InvoiceIssued": .open(["invoiceId", "customerId", "orderId", "lines[].description"]),
        "InvoicePaymentReceived": .open(["invoiceId", "customerId", "paymentId", "method"]),
        "InvoiceSettled": .open(["invoiceId", "customerId"]),
        "InvoiceMarkedOverdue": .open(["invoiceId", "customerId"]),
        "InvoiceWrittenOff": .open(["invoiceId", "customerId", "reason"]),
        // Service
        "CaseOpened": .sealed("customer", "customerId", personal: ["subject", "description"],
                              notPersonal: ["caseId", "customerId", "channel", "category", "priority"]),
        "CaseAssigned": .open(["caseId", "customerId", "agentId", "previousAgentId"]),
        "CaseFirstResponded": .open(["caseId", "customerId", "agentId"]),
        "CaseEscalated": .open(["caseId", "customerId", "reason"]),
        "CaseStatusChanged": .open(["caseId", "customerId", "from", "to"]),
        "CaseResolved": .sealed("customer", "customerId", personal: ["resolution"], notPersonal: ["caseId", "customerId", "agentId"]),
        "CaseReopened": .open(["caseId", "customerId", "reason"]),
        "CaseClosed": .open(["caseId", "customerId"]),
        "SurveySent": .open(["surveyId", "customerId", "caseId", "channel"]),
        "SurveyAnswered": .sealed("customer", "customerId", personal: ["comment"], notPersonal: ["surveyId", "customerId", "caseId"]),
        // Marketing
        "CampaignPlanned": .open(["campaignId", "name", "channel", "targetSegment"]),
        "CampaignLaunched": .open(["campaignId"]),
        "CampaignMemberTargeted": .open(["campaignId", "customerId"]),
        "CampaignMemberResponded": .sealed("customer", "customerId", personal: ["note"], notPersonal: ["campaignId", "customerId", "channel"]),
        "CampaignMemberConverted": .open(["campaignId", "customerId", "opportunityId", "orderId"]),
        "CampaignClosed": .open(["campaignId", "note"]),
        // Work
        "WorkPlanned": .open(["managerId", "planId", "targets.notes"]),
        "WorkPlanRevised": .open(["managerId", "planId", "targets.notes", "previous.notes"]),
        "WorkLogged": .sealed("customer", "customerId", personal: ["note"], notPersonal: ["managerId", "entryId", "customerId", "activity"]),
        "WorkTaskAssigned": .sealed("customer", "customerId", personal: ["title"],
                                    notPersonal: ["taskId", "managerId", "customerId", "kind"]),
        "WorkTaskReassigned": .open(["taskId", "managerId", "previousManagerId", "reason"]),
        "WorkTaskCompleted": .open(["taskId", "managerId", "outcome"]),
        "WorkTaskMarkedOverdue": .open(["taskId", "managerId"]),
        "WorkTaskCancelled": .open(["taskId", "reason"]),
        // Organisation
        "TeamDefined": .open(["teamId", "name", "region"]),
        "TeamMemberAssigned": .open(["teamId", "managerId", "previousTeamId"]),
    ]
}
