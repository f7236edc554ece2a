#!/usr/bin/env python3
"""Writes Fixtures/demo-events.ndjson: a deterministic, realistic CRM history for `crm serve --demo`.

About 150 customers over two years (2023-2024), worked by a dozen customer managers in three
teams, with support agents, a billing integration and an administrator. One JSON object per line:

    {"stream", "type", "schemaVersion", "data", "actor": {"id", "role"},
     "source": {"clientAddress", "userAgent", "host"}, "reason"}

Lines are in the order the events happened (`data.occurredAt`); the importer appends them in
that order and derives each event id from the line number, so a re-import is idempotent.
Only the standard library is used and the seed is fixed: running this again gives the same bytes.

Usage: python3 Fixtures/generate-demo-events.py [OUTPUT]   (default: next to this script)
"""

import datetime as dt
import json
import os
import random
import sys

SEED = 20230101
CUSTOMERS = 150
START = dt.datetime(2023, 1, 2, 8, 0, tzinfo=dt.timezone.utc)
END = dt.datetime(2024, 12, 31, 18, 0, tzinfo=dt.timezone.utc)

rng = random.Random(SEED)

TEAMS = {
    "enterprise": ["anna.berger", "marco.rossi", "sofia.lindqvist", "james.okafor"],
    "mid-market": ["lena.hoffmann", "pierre.dubois", "emma.novak", "david.cohen"],
    "smb": ["julia.kowalski", "tom.schneider", "nina.petrova", "lucas.martin"],
}
TEAM_LEADS = {"anna.berger", "lena.hoffmann", "julia.kowalski"}
SUPPORT_AGENTS = ["sara.meyer", "oliver.brandt", "mia.jensen"]
ADMIN = "ops.admin"
BILLING = "svc-billing-sync"

# Each person works from one or two client machines; addresses are the office and VPN ranges.
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{m} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0",
    "CRM-Mobile/{app} (iPhone; iOS 17.{m})",
]
HOSTS = ["crm-app-01", "crm-app-02"]


def make_sources(person, office_subnet):
    sources = []
    for i in range(rng.choice([1, 2])):
        template = rng.choice(BROWSERS)
        agent = template.format(v=rng.randint(118, 131), m=rng.randint(0, 5), f=rng.randint(118, 133),
                                app="{}.{}.{}".format(rng.randint(3, 4), rng.randint(0, 9), rng.randint(0, 4)))
        if i == 0:
            address = "10.{}.{}.{}".format(office_subnet, rng.randint(1, 20), rng.randint(10, 250))
        else:
            address = "172.20.{}.{}".format(rng.randint(0, 15), rng.randint(2, 250))  # VPN
        sources.append({"clientAddress": address, "userAgent": agent})
    return sources


ACTORS = {}
for subnet, (team, people) in enumerate(TEAMS.items(), start=10):
    for person in people:
        ACTORS[person] = {"role": "manager", "team": team, "lead": person in TEAM_LEADS,
                          "sources": make_sources(person, subnet)}
for person in SUPPORT_AGENTS:
    ACTORS[person] = {"role": "agent", "team": "support", "sources": make_sources(person, 30)}
ACTORS[ADMIN] = {"role": "admin", "team": "operations",
                 "sources": [{"clientAddress": "10.40.0.12", "userAgent": "crm/1.0 (linux)"}]}
ACTORS[BILLING] = {"role": "integrator", "team": "finance",
                   "sources": [{"clientAddress": "10.50.2.7", "userAgent": "billing-sync/2.3.1 (+erp-connector)"}]}


def source_for(person):
    chosen = rng.choice(ACTORS[person]["sources"])
    return {"clientAddress": chosen["clientAddress"], "userAgent": chosen["userAgent"], "host": rng.choice(HOSTS)}


# Company and people names are invented from word lists.
PREFIXES = ["Nord", "Alpen", "Blue", "Iron", "Silver", "Green", "North", "Baltic", "Atlas", "Vector", "Summit",
            "Harbor", "Bright", "Clear", "Falcon", "Granite", "Lumen", "Meridian", "Orion", "Pioneer", "Quantum",
            "River", "Sterling", "Terra", "Union", "Vista", "Zenith", "Cobalt", "Delta", "Echo"]
SUFFIXES = ["Logistics", "Foods", "Systems", "Energy", "Pharma", "Textiles", "Robotics", "Analytics", "Retail",
            "Builders", "Labs", "Motors", "Media", "Finance", "Health", "Farms", "Optics", "Software", "Metals",
            "Interiors"]
FORMS = ["GmbH", "AG", "Ltd", "S.A.", "B.V.", "AB", "Oy", "SRL", "Inc.", "ApS"]
INDUSTRIES = {"Logistics": "transport", "Foods": "food-and-beverage", "Systems": "it-services", "Energy": "energy",
              "Pharma": "life-sciences", "Textiles": "manufacturing", "Robotics": "manufacturing",
              "Analytics": "it-services", "Retail": "retail", "Builders": "construction", "Labs": "life-sciences",
              "Motors": "automotive", "Media": "media", "Finance": "financial-services", "Health": "healthcare",
              "Farms": "agriculture", "Optics": "manufacturing", "Software": "it-services", "Metals": "manufacturing",
              "Interiors": "retail"}
COUNTRIES = [("DE", "EUR"), ("AT", "EUR"), ("NL", "EUR"), ("FR", "EUR"), ("IT", "EUR"), ("SE", "SEK"),
             ("DK", "DKK"), ("FI", "EUR"), ("GB", "GBP"), ("PL", "PLN"), ("CH", "CHF"), ("ES", "EUR")]
CALLING_CODES = {"DE": 49, "AT": 43, "NL": 31, "FR": 33, "IT": 39, "SE": 46, "DK": 45, "FI": 358, "GB": 44,
                 "PL": 48, "CH": 41, "ES": 34}
FIRST = ["Anja", "Ben", "Clara", "Daniel", "Elif", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Katrin", "Leon",
         "Maja", "Nils", "Olga", "Paul", "Rosa", "Stefan", "Tara", "Uwe", "Vera", "Wim", "Yara", "Zoe", "Ali",
         "Bruno", "Chiara", "Dmitri", "Eva", "Farah"]
LAST = ["Andersen", "Bauer", "Costa", "Dijkstra", "Engel", "Fischer", "Garcia", "Horvath", "Ivanova", "Jansen",
        "Keller", "Larsen", "Moreau", "Nowak", "Olsen", "Peeters", "Quist", "Richter", "Silva", "Toth", "Ucar",
        "Vogel", "Weber", "Yilmaz", "Zimmermann"]
TITLES = ["Head of Procurement", "CFO", "IT Director", "Operations Manager", "Purchasing Lead", "CEO",
          "Project Manager", "Finance Controller", "Facility Manager", "Head of Sales"]
PRODUCTS = [("CRM Starter", 4800), ("CRM Professional", 14400), ("CRM Enterprise", 48000),
            ("Analytics Add-on", 6000), ("Support Premium", 9600), ("Onboarding Package", 3500),
            ("Integration Services", 12000), ("Data Migration", 7500)]
STAGES = ["qualification", "discovery", "proposal", "negotiation"]
LOSS_REASONS = ["Lost to a competitor on price", "Budget frozen for this fiscal year", "No decision; project postponed",
                "Chose an in-house solution", "Requirements changed after reorganisation"]
STAGE_REASONS = [None, None, None, "Customer asked for a revised quote", "Decision maker joined the call",
                 "Technical evaluation passed", "Procurement involved"]
CASE_TOPICS = [("login-problem", "Users cannot sign in after password reset"),
               ("data-import", "CSV import rejects rows with umlauts"),
               ("billing-question", "Invoice shows the wrong VAT rate"),
               ("performance", "Reports take minutes to load"),
               ("integration", "ERP sync stopped overnight"),
               ("feature-request", "Export of opportunity pipeline to Excel"),
               ("permissions", "Team lead cannot see colleague's accounts")]
RESOLUTIONS = ["Fixed configuration", "Workaround provided", "Explained existing feature", "Bug fix deployed",
               "Duplicate of earlier case", "Credited the customer"]
CHANNELS = ["call", "email", "meeting", "video-call", "visit"]
SUBJECTS = ["Quarterly business review", "Renewal discussion", "Product demo", "Follow-up on proposal",
            "Onboarding check-in", "Price negotiation", "Introduction to new contact", "Roadmap presentation",
            "Escalation call", "Usage review"]

events = []  # (time, order, line-dict)
order = 0


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "{:03d}Z".format(moment.microsecond // 1000)


def office_time(moment):
    """Moves a moment into office hours on a weekday."""
    while moment.weekday() >= 5:
        moment += dt.timedelta(days=1)
    if moment.hour < 8 or moment.hour >= 18:
        moment = moment.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
    return moment


def emit(moment, stream, kind, data, actor, reason=None, source=None):
    global order
    data = dict(data)
    data["occurredAt"] = iso(moment)
    line = {"stream": stream, "type": kind, "schemaVersion": 1, "data": data,
            "actor": {"id": actor, "role": ACTORS[actor]["role"]},
            "source": source or source_for(actor), "reason": reason}
    events.append((moment, order, line))
    order += 1


def money(value):
    return "{:.2f}".format(value)


invoice_counter = {}
used_names = set()
span = (END - START).total_seconds()

for number in range(1, CUSTOMERS + 1):
    customer_id = "C{:04d}".format(number)
    stream = "customer-" + customer_id
    while True:
        name = "{} {} {}".format(rng.choice(PREFIXES), rng.choice(SUFFIXES), rng.choice(FORMS))
        if name not in used_names:
            used_names.add(name)
            break
    country, currency = rng.choice(COUNTRIES)
    team = rng.choices(list(TEAMS), weights=[2, 3, 5])[0]
    owner = rng.choice(TEAMS[team])
    size = {"enterprise": "enterprise", "mid-market": "mid-market", "smb": "small"}[team]
    # Customers arrive over the first 20 months, so most have a history.
    registered = office_time(START + dt.timedelta(seconds=rng.random() ** 1.3 * span * 0.83))
    session = source_for(owner)
    emit(registered, stream, "CustomerRegistered",
         {"customerId": customer_id, "name": name, "industry": INDUSTRIES[name.split()[1]], "country": country,
          "currency": currency, "segment": size, "team": team, "accountManager": owner}, owner, source=session)

    contacts = []
    for c in range(rng.randint(1, 3)):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = name.split()[0].lower() + name.split()[1].lower() + ".example"
        contact = {"customerId": customer_id, "contactId": "{}-P{}".format(customer_id, c + 1),
                   "name": "{} {}".format(first, last), "title": rng.choice(TITLES),
                   "email": "{}.{}@{}".format(first.lower(), last.lower(), domain),
                   "phone": "+{} {} {}".format(CALLING_CODES[country], rng.randint(10, 999), rng.randint(100000, 9999999)),
                   "primary": c == 0}
        contacts.append(contact)
        emit(registered + dt.timedelta(minutes=2 + 3 * c), stream, "ContactAdded", contact, owner, source=session)

    remaining = (END - registered).total_seconds()
    # Interactions spread over the customer's life.
    for _ in range(rng.randint(1, 3)):
        moment = office_time(registered + dt.timedelta(seconds=rng.random() * remaining))
        contact = rng.choice(contacts)
        emit(moment, stream, "InteractionLogged",
             {"customerId": customer_id, "contactId": contact["contactId"], "channel": rng.choice(CHANNELS),
              "subject": rng.choice(SUBJECTS), "durationMinutes": rng.choice([10, 15, 20, 30, 45, 60, 90]),
              "outcome": rng.choice(["positive", "neutral", "follow-up-needed"])}, owner)

    # Opportunities: open, move through stages, then won or lost (some still open at the end).
    for o in range(rng.choices([0, 1, 2, 3], weights=[1, 5, 3, 1])[0]):
        opportunity_id = "{}-O{}".format(customer_id, o + 1)
        opp_stream = "opportunity-" + opportunity_id
        product, base = rng.choice(PRODUCTS)
        value = base * rng.choice([1, 1, 2, 3, 5]) * (4 if team == "enterprise" else 1)
        opened = office_time(registered + dt.timedelta(days=rng.randint(3, 60) + o * rng.randint(90, 240)))
        if opened >= END:
            continue
        seller = owner if rng.random() < 0.85 else rng.choice(TEAMS[team])
        emit(opened, opp_stream, "OpportunityOpened",
             {"opportunityId": opportunity_id, "customerId": customer_id, "title": "{} for {}".format(product, name),
              "product": product, "amount": money(value), "currency": currency, "stage": "qualification",
              "expectedCloseDate": (opened + dt.timedelta(days=rng.randint(30, 120))).strftime("%Y-%m-%d"),
              "probability": 10}, seller)
        moment = opened
        stage_count = rng.randint(1, 3)
        finished = True
        for s in range(1, stage_count + 1):
            moment = office_time(moment + dt.timedelta(days=rng.randint(5, 35), hours=rng.randint(0, 6)))
            if moment >= END:
                finished = False
                break
            emit(moment, opp_stream, "OpportunityStageChanged",
                 {"opportunityId": opportunity_id, "customerId": customer_id, "from": STAGES[s - 1], "to": STAGES[s],
                  "probability": [10, 25, 50, 75][s]}, seller, reason=rng.choice(STAGE_REASONS))
        if not finished:
            continue
        moment = office_time(moment + dt.timedelta(days=rng.randint(7, 40)))
        if moment >= END:
            continue
        won = rng.random() < 0.35 + 0.15 * stage_count
        if won:
            emit(moment, opp_stream, "OpportunityWon",
                 {"opportunityId": opportunity_id, "customerId": customer_id, "amount": money(value),
                  "currency": currency, "contractStart": (moment + dt.timedelta(days=14)).strftime("%Y-%m-%d"),
                  "termMonths": rng.choice([12, 12, 24, 36])}, seller,
                 reason="Signed contract received" if rng.random() < 0.5 else None)
            # Billing: the integration issues invoices in instalments; most are paid.
            instalments = rng.choice([1, 1, 2, 4])
            issued = moment
            for i in range(instalments):
                issued = office_time(issued + dt.timedelta(days=14 if i == 0 else 90))
                if issued >= END:
                    break
                year = issued.year
                invoice_counter[year] = invoice_counter.get(year, 0) + 1
                invoice_id = "INV-{}-{:04d}".format(year, invoice_counter[year])
                amount = value / instalments
                net = round(amount, 2)
                vat_rate = 0 if country in ("CH", "GB") else 19 if country == "DE" else 20
                emit(issued, "invoice-" + invoice_id, "InvoiceIssued",
                     {"invoiceId": invoice_id, "customerId": customer_id, "opportunityId": opportunity_id,
                      "net": money(net), "vatRate": vat_rate, "gross": money(net * (1 + vat_rate / 100)),
                      "currency": currency, "dueDate": (issued + dt.timedelta(days=30)).strftime("%Y-%m-%d"),
                      "lines": [{"description": product, "quantity": 1, "unitPrice": money(net)}]}, BILLING)
                paid = office_time(issued + dt.timedelta(days=rng.randint(5, 45)))
                if paid < END and rng.random() < 0.9:
                    emit(paid, "invoice-" + invoice_id, "PaymentReceived",
                         {"invoiceId": invoice_id, "customerId": customer_id,
                          "amount": money(net * (1 + vat_rate / 100)), "currency": currency,
                          "method": rng.choice(["bank-transfer", "bank-transfer", "direct-debit", "card"]),
                          "reference": "PAY-{:06d}".format(rng.randint(0, 999999))}, BILLING)
        else:
            emit(moment, opp_stream, "OpportunityLost",
                 {"opportunityId": opportunity_id, "customerId": customer_id, "stage": STAGES[stage_count],
                  "competitor": rng.choice([None, "Salesforce", "HubSpot", "Pipedrive", "Zoho"])}, seller,
                 reason=rng.choice(LOSS_REASONS))

    # Support cases, handled by the support desk.
    for k in range(rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0]):
        case_id = "{}-K{}".format(customer_id, k + 1)
        case_stream = "case-" + case_id
        topic, summary = rng.choice(CASE_TOPICS)
        opened = office_time(registered + dt.timedelta(seconds=rng.random() * remaining))
        agent = rng.choice(SUPPORT_AGENTS)
        emit(opened, case_stream, "CaseOpened",
             {"caseId": case_id, "customerId": customer_id, "contactId": rng.choice(contacts)["contactId"],
              "topic": topic, "summary": summary, "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
              "channel": rng.choice(["email", "phone", "portal"])}, agent)
        resolved = office_time(opened + dt.timedelta(hours=rng.randint(2, 240)))
        if resolved < END and rng.random() < 0.92:
            emit(resolved, case_stream, "CaseResolved",
                 {"caseId": case_id, "customerId": customer_id, "resolution": rng.choice(RESOLUTIONS),
                  "satisfaction": rng.choice([None, 3, 4, 4, 5, 5])}, agent)

    # Now and then an account changes hands or is updated by the administrator.
    if rng.random() < 0.12:
        new_owner = rng.choice([p for p in TEAMS[team] if p != owner])
        moment = office_time(registered + dt.timedelta(seconds=rng.random() * remaining))
        emit(moment, stream, "AccountManagerChanged",
             {"customerId": customer_id, "from": owner, "to": new_owner}, ADMIN,
             reason=rng.choice(["Team rebalancing", "Previous manager on parental leave", "Customer request"]))
        owner = new_owner

events.sort(key=lambda item: (item[0], item[1]))
output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo-events.ndjson")
with open(output, "w", encoding="utf-8", newline="\n") as out:
    for _, _, line in events:
        out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
print("wrote {} events for {} customers to {}".format(len(events), CUSTOMERS, output), file=sys.stderr)
