import Foundation

// Billing: the ERP invoices each fulfilled order; customers pay on time, late, in parts, too much,
// or never, by their habits; the nightly job marks unpaid invoices overdue; managers chase
// arrears; the administrator writes off what will not come.
extension SimulationRun {
    /// The ERP reports delivery and bills the order.
    func fulfil(_ k: Int) throws {
        guard let order = orders[k], order.status == .placed else { return }
        orders[k] = nil
        let customer = customers[order.customer]
        try emit(FulfillOrder(orderId: order.id), by: .system(.erp))
        order.status = .fulfilled
        guard customer.isCommandable else { return }
        let terms = order.viaShop ? 14 : SimulationSegment.all[customer.segment].paymentTermsDays
        let due = Clock.startOfDay(now) + (terms + 1) * Clock.day - 1
        let lines = order.lines.map { line in
            InvoiceLine(description: SimulationCatalog.product(line.productId).map { SimulationCatalog.products[$0].name } ?? line.productId,
                        quantity: line.quantity, unitPrice: line.unitPrice, discountPercent: line.discountPercent == 0 ? nil : line.discountPercent)
        }
        let method: PaymentMethod = order.viaShop ? (random.chance(0.8) ? .card : .bankTransfer)
            : customer.segment == SimulationSegment.smb && random.chance(0.4) ? .directDebit
            : random.weighted([(PaymentMethod.bankTransfer, 0.93), (.cheque, 0.03), (.other, 0.04)])
        let invoice = SimInvoice(id: nextId("INV-"), customer: order.customer, total: Self.total(order.lines), dueAt: due, method: method)
        try emit(IssueInvoice(invoiceId: invoice.id, customerId: customer.id, orderId: order.id, lines: lines,
                              issueDate: Clock.date(now), dueDate: Clock.date(due)), by: .system(.erp))
        invoices.append(invoice)
        summary.invoices += 1
        planPayments(invoices.count - 1, invoice, customer)
    }

    /// Draws how this invoice will be paid and queues the payments and the overdue check.
    func planPayments(_ i: Int, _ invoice: SimInvoice, _ customer: SimCustomer) {
        schedule(nightlyJob(after: invoice.dueAt), .overdueCheck(i))
        if invoice.method == .card {
            schedule(now + minutes(20), .payment(i, invoice.total))
            return
        }
        let scale = settings.latePaymentShare / 0.2
        let lateChance: Double = switch customer.habit {
        case .prompt: 0.06
        case .slow: 0.55
        case .erratic: 0.45
        case .bad: 0.85
        }
        let neverPays = customer.habit == .bad ? random.chance(0.35) : random.chance(0.004)
        if neverPays {
            schedule(office(invoice.dueAt + days(150, spread: 0.2)), .writeOff(i))
            if random.chance(0.3) { schedule(bankImport(after: invoice.dueAt + days(30)), .payment(i, invoice.total / 4)) }
            return
        }
        let isLate = invoice.method == .directDebit ? random.chance(0.02) : random.chance(min(0.95, lateChance * scale))
        let issued = now
        func payday() -> Int64 {
            isLate ? invoice.dueAt + days(12, spread: 0.8) : issued + Int64(Double(invoice.dueAt - issued) * random.double(0.15...0.92))
        }
        if invoice.total > 20_000, random.chance(0.06) {
            // Part now, the rest some weeks later.
            let first = invoice.total * Int64(random.int(30...70)) / 100
            let firstAt = bankImport(after: payday())
            schedule(firstAt, .payment(i, first))
            schedule(bankImport(after: firstAt + days(20)), .payment(i, -1))
        } else if random.chance(0.005) {
            schedule(bankImport(after: payday()), .payment(i, invoice.total + Int64(random.int(1...50)) * 100))
        } else {
            schedule(bankImport(after: payday()), .payment(i, -1))
        }
    }

    /// The bank statement import of the next working morning.
    func bankImport(after ms: Int64) -> Int64 {
        var day = Clock.startOfDay(ms) + Clock.day
        while Clock.isWeekend(day) { day += Clock.day }
        return day + 5 * Clock.hour + random.int64(0...(40 * Clock.minute))
    }

    /// The scheduler's nightly run after `ms`.
    func nightlyJob(after ms: Int64) -> Int64 {
        Clock.startOfDay(ms) + Clock.day + 2 * Clock.hour + random.int64(0...(20 * Clock.minute))
    }

    /// Records a payment (`amount` -1: whatever is still outstanding).
    func payment(_ i: Int, _ amount: Int64) throws {
        guard let invoice = invoices[i], invoice.status == .open, invoice.outstanding > 0 else { return }
        let value = amount < 0 ? invoice.outstanding : amount
        guard value > 0 else { return }
        let overpaid = value > invoice.outstanding
        try emit(RecordPayment(invoiceId: invoice.id, paymentId: nextId("PAY-", width: 7), amount: money(value), method: invoice.method,
                               overpayment: overpaid ? true : nil), by: .system(invoice.method == .card ? .shop : .erp))
        invoice.payments += 1
        invoice.outstanding = max(0, invoice.outstanding - value)
        if invoice.outstanding == 0 {
            invoice.status = .settled
            if let t = invoice.arrearsTask, let task = tasks[t], task.status == .open {
                schedule(office(now + days(1)), .completeTask(t))
            }
            invoices[i] = nil
        }
    }

    /// The nightly job flags an invoice whose due date has passed unpaid; the customer's manager
    /// gets an arrears task and sends a reminder.
    func overdueCheck(_ i: Int) throws {
        guard let invoice = invoices[i], invoice.status == .open, invoice.outstanding > 0, !invoice.isOverdue, now > invoice.dueAt else { return }
        try emit(MarkInvoiceOverdue(invoiceId: invoice.id), by: .system(.scheduler))
        invoice.isOverdue = true
        let customer = customers[invoice.customer]
        if customer.manager != nil, customer.isCommandable {
            invoice.arrearsTask = try assignTask(invoice.customer, .arrearsCollection, title: "Collect overdue invoice \(invoice.id)")
        }
        schedule(office(now + days(2, spread: 0.4)), .reminder(i))
    }

    /// A payment reminder by e-mail (the manager's, or the service desk's for consumers).
    func reminder(_ i: Int) throws {
        guard let invoice = invoices[i], invoice.status == .open else { return }
        let customer = customers[invoice.customer]
        guard customer.isCommandable else { return }
        if let m = customer.manager {
            try interaction(customer, channel: random.chance(0.7) ? .email : .call, direction: .outbound, by: .manager(m),
                            subject: "Payment reminder for invoice \(invoice.id)", outcome: "reminder-sent")
            try logWork(m, customer: invoice.customer, activity: .arrearsCollection, minutes: 15, note: "Reminder for \(invoice.id)")
        } else {
            try interaction(customer, channel: .email, direction: .outbound, by: .agent(random.int(0...(staff.agents.count - 1))),
                            subject: "Payment reminder for invoice \(invoice.id)", outcome: "reminder-sent")
        }
    }

    /// The administrator gives up on an invoice after months of dunning.
    func writeOff(_ i: Int) throws {
        guard let invoice = invoices[i], invoice.status == .open else { return }
        try emit(WriteOffInvoice(invoiceId: invoice.id, reason: random.pick([
            "uncollectable after dunning; passed to collection agency", "customer insolvent", "disputed amount settled by goodwill",
        ])), by: .admin, reason: "bad debt")
        invoice.status = .writtenOff
        if let t = invoice.arrearsTask, let task = tasks[t], task.status == .open { try cancelTask(t, reason: "invoice written off") }
        invoices[i] = nil
        let customer = customers[invoice.customer]
        if customer.habit != .bad { customer.habit = .erratic }
    }
}
