"""The export layouts we know, as the tools write them today and as they wrote them before: each maps our
canonical fields to the headers a tool writes (translations included). Kimai's headers in every language
come from data/kimai_headers.toml."""

from __future__ import annotations

import tomllib

from sales.ingest.formatdef import Format
from sales.lifecycle import default_lifecycle
from sales.paths import DATA_DIR
from sales.rubric import default_rubric


def _f(*names: str) -> tuple[str, ...]:
    return names


def _factor_fields() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for f in default_rubric().factors:
        out[f"level:{f.key}"] = (f.key, f.name)
        out[f"comment:{f.key}"] = (f"{f.key}_comment", f"{f.name} comment")
    return out


def _fact_fields() -> dict[str, tuple[str, ...]]:
    lc = default_lifecycle()
    labels = {c.fact: c.label for s in lc.stages for c in s.gate}
    return {f"fact:{fact}": (fact, labels.get(fact, fact)) for fact in lc.facts}


CANONICAL_LEADS = {
    "external_id": _f("id", "lead_id", "Lead ID"), "name": _f("name", "Lead", "Lead name"),
    "organisation": _f("organisation", "organization", "company"), "owner": _f("owner"),
    "lead_source": _f("source", "lead_source", "Lead source"), "created_on": _f("created_on", "created"),
    "stage": _f("stage"), "status": _f("status"), "lost_reason": _f("lost_reason", "Lost reason"),
    "amount": _f("amount", "value"), "currency": _f("currency"), "closed_on": _f("closed_on", "closed"),
    "expected_close": _f("expected_close", "expected_close_date", "Expected close date"),
    "pricing": _f("pricing"), "assessed_at": _f("assessed_at"), "assessed_by": _f("assessed_by"),
    "modified_at": _f("modified_at", "modified", "updated_at"),
    "estimated_hours": _f("estimated_hours", "Estimated hours"), "type": _f("type"),
    "last_activity": _f("last_activity", "last_activity_date", "Last activity date"),
    **_factor_fields(), **_fact_fields(),
}
CANONICAL_TIME = {
    "work_date": _f("date", "work_date"), "person": _f("person", "user"), "hours": _f("hours"),
    "billable": _f("billable"), "client": _f("client"), "project": _f("project"), "account": _f("account"),
    "issue_key": _f("issue_key", "issue"), "description": _f("description"), "start_time": _f("start"),
    "end_time": _f("end"),
}
CANONICAL_BUDGETS = {
    "account": _f("account", "client"), "effective_month": _f("effective_month", "month", "from"),
    "monthly_hours": _f("monthly_hours"), "fixed_total_hours": _f("fixed_total_hours", "total_hours"),
    "hourly_rate": _f("hourly_rate", "rate"), "currency": _f("currency"), "kind": _f("kind", "type"),
}
CANONICAL_PEOPLE = {
    "name": _f("name", "person"), "email": _f("email"),
    "weekly_capacity_hours": _f("weekly_capacity_hours", "weekly_hours", "capacity"),
    "working_days": _f("working_days"), "country": _f("country", "region"), "start": _f("start", "start_date"),
    "end": _f("end", "end_date"), "cost_rate": _f("cost_rate"), "currency": _f("currency"),
    "effective_from": _f("effective_from"), "utilisation_target": _f("utilisation_target", "target"),
}
CANONICAL_TIME_OFF = {"person": _f("person", "name"), "from": _f("from", "from_date"), "to": _f("to", "to_date"),
                      "hours_per_day": _f("hours_per_day")}

KIMAI_HEADERS = DATA_DIR / "kimai_headers.toml"
# our field → the Kimai columns it is read from: of the display name and the login, whichever comes first (the
# display name, in every Kimai version)
KIMAI_FIELDS = {"work_date": ("work_date",), "start_time": ("start_time",), "end_time": ("end_time",),
                "hours": ("duration",), "person": ("user", "username"), "client": ("customer",),
                "project": ("project",), "activity": ("activity",), "description": ("description",),
                "billable": ("billable",), "rate": ("rate",)}


def _kimai() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Kimai's languages (code → name) and, per field, every header it has had in any of them."""
    doc = tomllib.loads(KIMAI_HEADERS.read_text(encoding="utf-8"))["languages"]
    langs = sorted(doc.values(), key=lambda lang: lang["name"] != "English")  # English first: messages name it
    fields = {ours: tuple(dict.fromkeys(text for lang in langs for column in theirs for text in lang[column]))
              for ours, theirs in KIMAI_FIELDS.items()}
    return {code: lang["name"] for code, lang in doc.items()}, fields


KIMAI_LANGUAGES, KIMAI = _kimai()

PRESETS: tuple[Format, ...] = (
    # ---------------------------------------------------------------- CRM
    Format("hubspot-deals", "leads", "HubSpot deals", {
        "external_id": _f("Record ID"), "name": _f("Deal Name"), "stage": _f("Deal Stage"),
        "closed_on": _f("Close Date"), "owner": _f("Deal owner"), "amount": _f("Amount"),
        "pipeline": _f("Pipeline"), "created_on": _f("Create Date"), "organisation": _f("Associated Company"),
        "lead_source": _f("Original Source Type", "Original Traffic Source"), "currency": _f("Currency"),
        "lost_reason": _f("Closed Lost Reason"), "modified_at": _f("Last Modified Date"),
        "last_activity": _f("Last Activity Date"),
    }, required=("external_id", "name"), markers=("Deal Stage", "Deal Name", "Record ID")),
    Format("hubspot-contacts", "leads", "HubSpot contacts", {
        "external_id": _f("Record ID"), "first_name": _f("First Name"), "last_name": _f("Last Name"),
        "email": _f("Email"), "stage": _f("Lead Status"), "lifecycle_stage": _f("Lifecycle Stage"),
        "created_on": _f("Create Date"),
        "organisation": _f("Company Name", "Associated Company"), "owner": _f("Contact owner"),
        "lead_source": _f("Original Source", "Original Traffic Source"), "modified_at": _f("Last Modified Date"),
        "last_activity": _f("Last Activity Date"),
    }, required=("external_id",), one_of=("email", "first_name", "last_name"),
        markers=("Lead Status", "Record ID", "Lifecycle Stage"),
        fallback={"stage": "lifecycle_stage"}),  # a contact's Lead Status, else its Lifecycle Stage
    Format("pipedrive-deals", "leads", "Pipedrive deals", {
        "external_id": _f("Deal - ID"), "name": _f("Deal - Title"), "stage": _f("Deal - Stage"),
        "amount": _f("Deal - Value"), "currency": _f("Deal - Currency", "Deal - Currency of Value"),
        "status": _f("Deal - Status"),
        "won_on": _f("Deal - Won time"), "lost_on": _f("Deal - Lost time"), "lost_reason": _f("Deal - Lost reason"),
        "created_on": _f("Deal - Deal created"), "owner": _f("Deal - Owner"),
        "organisation": _f("Organization - Name", "Deal - Organization"),
        "lead_source": _f("Deal - Source", "Deal - Source origin"), "closed_on": _f("Deal - Close time"),
        "expected_close": _f("Deal - Expected close date"),
        "modified_at": _f("Deal - Update time"),
        "last_activity": _f("Deal - Last activity date", "Last activity date"),
    }, required=("name", "stage"), markers=("Deal - Title",)),
    Format("salesforce-report", "leads", "Salesforce report", {
        "external_id": _f("Opportunity ID", "Lead ID", "Opportunity: ID"),
        "name": _f("Opportunity Name", "Opportunity: Name", "Company / Account", "Company"),
        "organisation": _f("Account Name", "Account: Account Name", "Company / Account"),
        "stage": _f("Stage", "Opportunity: Stage", "Lead Status"), "amount": _f("Amount"),
        "closed_on": _f("Close Date"), "created_on": _f("Created Date", "Create Date"),
        "owner": _f("Opportunity Owner", "Lead Owner", "Owner Name"), "lead_source": _f("Lead Source"),
        "currency": _f("Amount Currency", "Opportunity Currency"),
        "modified_at": _f("Last Modified Date", "Opportunity: Last Modified Date"),
        "last_activity": _f("Last Activity", "Opportunity: Last Activity"),
    }, required=("name", "stage"), markers=("Opportunity Name", "Opportunity Owner", "Stage"),
        options={"footer": "salesforce"}),
    Format("zoho-leads", "leads", "Zoho CRM leads", {
        "external_id": _f("Record Id"), "owner": _f("Lead Owner"), "organisation": _f("Company"),
        "first_name": _f("First Name"), "last_name": _f("Last Name"), "lead_source": _f("Lead Source"),
        "stage": _f("Lead Status"), "created_on": _f("Created Time"), "amount": _f("Annual Revenue"),
        "modified_at": _f("Modified Time"), "email": _f("Email"), "last_activity": _f("Last Activity Time"),
    }, required=("external_id", "organisation"), one_of=("stage", "last_name"),
        markers=("Lead Owner.id", "Lead Owner Id", "Lead Owner", "Record Id")),
    Format("zoho-deals", "leads", "Zoho CRM deals", {
        "external_id": _f("Record Id"), "owner": _f("Deal Owner"), "name": _f("Deal Name"),
        "organisation": _f("Account Name"), "stage": _f("Stage"), "amount": _f("Amount"),
        "closed_on": _f("Closing Date"), "lead_source": _f("Lead Source"), "created_on": _f("Created Time"),
        "modified_at": _f("Modified Time"), "probability": _f("Probability (%)"),
        "expected_revenue": _f("Expected Revenue"), "currency": _f("Currency"),
        "last_activity": _f("Last Activity Time"),
    }, required=("external_id", "name", "stage"), markers=("Deal Owner Id", "Deal Owner.id", "Deal Owner",
                                                            "Probability (%)", "Record Id")),
    Format("zoho-contacts", "leads", "Zoho CRM contacts", {
        "external_id": _f("Record Id"), "owner": _f("Contact Owner"), "first_name": _f("First Name"),
        "last_name": _f("Last Name"), "email": _f("Email"), "organisation": _f("Account Name"),
        "lead_source": _f("Lead Source"), "created_on": _f("Created Time"), "modified_at": _f("Modified Time"),
        "last_activity": _f("Last Activity Time"),
    }, required=("external_id",), one_of=("last_name", "email"),
        markers=("Contact Owner Id", "Contact Owner.id", "Contact Owner")),
    Format("zoho-accounts", "leads", "Zoho CRM accounts", {
        "external_id": _f("Record Id"), "owner": _f("Account Owner"), "name": _f("Account Name"),
        "organisation": _f("Account Name"), "created_on": _f("Created Time"), "modified_at": _f("Modified Time"),
        "amount": _f("Annual Revenue"), "last_activity": _f("Last Activity Time"),
    }, required=("external_id", "name"), markers=("Account Owner Id", "Account Owner.id", "Account Owner")),
    Format("odoo-crm", "leads", "Odoo CRM", {
        "external_id": _f("ID", "id"), "name": _f("Opportunity", "name"),
        "organisation": _f("Customer", "partner_id", "partner_id/id", "partner_name", "Company Name"),
        "contact": _f("Contact Name", "contact_name"),
        "owner": _f("Salesperson", "user_id", "user_id/id"), "stage": _f("Stage", "stage_id", "stage_id/id"),
        "amount": _f("Expected Revenue", "expected_revenue", "planned_revenue"),
        "probability": _f("Probability", "probability"),
        "closed_on": _f("Expected Closing", "date_deadline"), "created_on": _f("Created on", "create_date"),
        "lead_source": _f("Source", "source_id", "source_id/id"),
        "lost_reason": _f("Lost Reason", "lost_reason_id", "lost_reason_id/id"), "type": _f("Type", "type"),
        "modified_at": _f("Last Updated on", "write_date"), "email": _f("Email", "email_from"),
    }, required=("name", "stage"), one_of=("owner", "amount", "organisation"),
        markers=("Expected Revenue", "expected_revenue", "planned_revenue", "Salesperson", "stage_id",
                 "stage_id/id", "user_id/id", "partner_name", "email_from")),
    Format("canonical-leads", "leads", "Canonical leads (this project's template)", CANONICAL_LEADS,
           required=("name",), markers=tuple(h for k, names in CANONICAL_LEADS.items()
                                             if k.startswith(("level:", "fact:")) or k in ("stage", "status")
                                             for h in names[:1]), needs_marker=True),
    # ---------------------------------------------------------------- time
    Format("tempo", "time", "Jira Tempo worklogs", {
        "issue_key": _f("Issue Key", "Vorgangsschlüssel", "Clé de ticket", "Clave de incidencia"),
        "description": _f("Work Description", "Arbeitsbeschreibung", "Description du travail"),
        "summary": _f("Issue summary", "Zusammenfassung", "Résumé du ticket"),
        "hours": _f("Hours", "Stunden", "Heures", "Horas"),
        "work_date": _f("Work date", "Arbeitsdatum", "Date de travail", "Fecha de trabajo"),
        "username": _f("Username", "Benutzername", "Nom d'utilisateur"),
        "person": _f("Full name", "Vollständiger Name", "Nom complet", "Nombre completo"),
        "account_key": _f("Account Key", "Kontoschlüssel", "Clé de compte"),
        "account": _f("Account Name", "Kontoname", "Nom du compte", "Nombre de cuenta"),
        "client": _f("Account Customer", "Customer"), "project": _f("Project Name", "Projektname"),
        "billed_hours": _f("Billed Hours", "Abgerechnete Stunden", "Heures facturées"),
    }, required=("issue_key", "hours", "work_date"), markers=("Billed Hours", "Account Key", "Issue summary",
                                                               "Abgerechnete Stunden", "Arbeitsdatum")),
    Format("jira-log-work", "time", "Jira issue export (Log Work columns)", {
        "issue_key": _f("Issue key"), "summary": _f("Summary"), "project": _f("Project name"),
        "log_work": _f("Log Work"),
    }, required=("issue_key", "log_work"), markers=("Log Work",), repeated="log_work", date_order="day/month"),
    # Toggl Track detailed: before 2023 User, Client, End date, End time; today Member, Stop date, Stop time
    Format("toggl", "time", "Toggl Track detailed", {
        "person": _f("User", "Member"), "email": _f("Email"), "client": _f("Client"), "project": _f("Project"),
        "task": _f("Task"), "description": _f("Description"), "billable": _f("Billable"),
        "work_date": _f("Start date"), "start_time": _f("Start time"), "end_date": _f("End date", "Stop date"),
        "end_time": _f("End time", "Stop time"), "hours": _f("Duration"), "tags": _f("Tags"),
    }, required=("person", "work_date", "start_time", "hours"), markers=("Start date", "Start time", "Duration"),
        options={"dash": "blank"}),
    Format("clockify", "time", "Clockify detailed", {
        "project": _f("Project"), "client": _f("Client"), "description": _f("Description"), "task": _f("Task"),
        "person": _f("User"), "email": _f("Email"), "billable": _f("Billable"), "work_date": _f("Start Date"),
        "start_time": _f("Start Time"), "end_date": _f("End Date"), "end_time": _f("End Time"),
        "hours": _f("Duration (decimal)", "Duration (h)"),
    }, required=("person", "work_date", "hours"), markers=("Duration (decimal)", "Duration (h)"),
        date_order="month/day"),
    Format("harvest", "time", "Harvest detailed time", {
        "work_date": _f("Date"), "client": _f("Client"), "project": _f("Project"), "project_code": _f("Project Code"),
        "task": _f("Task"), "description": _f("Notes"), "hours": _f("Hours"), "billable": _f("Billable?"),
        "first_name": _f("First Name"), "last_name": _f("Last Name"), "rate": _f("Billable Rate"),
        "currency": _f("Currency"), "account": _f("Client"),
    }, required=("work_date", "hours", "first_name"), markers=("Billable?", "Invoiced?", "Approved?")),
    Format("kimai", "time", "Kimai", KIMAI, required=("work_date", "hours", "client", "activity"),
           markers=(*KIMAI["activity"], *KIMAI["client"]), date_order="day/month"),
    Format("freshbooks", "time", "FreshBooks time entries", {
        "work_date": _f("Date"), "client": _f("Client"), "project": _f("Project"), "service": _f("Service"),
        "description": _f("Notes", "Note"), "person": _f("Team Member"), "hours": _f("Duration", "Hours"),
        "billable": _f("Billable"), "rate": _f("Rate"),
    }, required=("work_date", "person", "hours"), markers=("Team Member",)),
    Format("canonical-time", "time", "Canonical time entries (this project's template)", CANONICAL_TIME,
           required=("work_date", "hours"), markers=("issue_key", "account")),
    # ---------------------------------------------------------------- budgets
    Format("canonical-budgets", "budgets", "Canonical budgets (this project's template)", CANONICAL_BUDGETS,
           required=("account", "effective_month"), markers=("monthly_hours", "fixed_total_hours")),
    # ---------------------------------------------------------------- the team (sales/team)
    Format("canonical-people", "people", "Canonical people (this project's template)", CANONICAL_PEOPLE,
           required=("name", "weekly_capacity_hours"), markers=("weekly_capacity_hours", "working_days",
                                                               "utilisation_target", "cost_rate")),
    Format("canonical-time-off", "time_off", "Canonical time off (this project's template)", CANONICAL_TIME_OFF,
           required=("person", "from", "to"), markers=("hours_per_day",)),
)
BY_NAME = {f.name: f for f in PRESETS}
CANONICAL = {"leads": CANONICAL_LEADS, "time": CANONICAL_TIME, "budgets": CANONICAL_BUDGETS,
             "people": CANONICAL_PEOPLE, "time_off": CANONICAL_TIME_OFF}
REQUIRED = {"leads": ("name",), "time": ("work_date", "hours"), "budgets": ("account", "effective_month"),
            "people": ("name", "weekly_capacity_hours"), "time_off": ("person", "from", "to")}


def mapping_fields(kind: str) -> list[tuple[str, bool]]:
    """(canonical field, required) for the upload page's mapping form, required ones first."""
    fields = [f for f in CANONICAL[kind] if not f.startswith("comment:")]
    return sorted(((f, f in REQUIRED[kind]) for f in fields), key=lambda x: not x[1])
