"""Named export layouts and their detection by header.

A format maps our canonical fields to the header names a tool writes (translations included);
detection picks the preset whose required fields are all present and that explains most columns.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sales.lifecycle import default_lifecycle
from sales.money import ISO_4217
from sales.rubric import default_rubric

FILE_KINDS = ("leads", "time", "budgets", "people", "time_off")  # what a file may hold


class FormatError(ValueError):
    """No preset fits, or a column mapping is unusable."""


def norm(header: str) -> str:
    """Header comparison ignores case, spaces, punctuation and a BOM."""
    return re.sub(r"[\W_]+", "", header.replace("\ufeff", "").casefold())


@dataclass(frozen=True)
class Format:
    name: str
    kind: str
    label: str
    fields: Mapping[str, tuple[str, ...]]  # canonical field → accepted headers
    required: tuple[str, ...]
    markers: tuple[str, ...] = ()  # headers only this tool writes: they break ties
    date_order: str = "month/day"  # preferred reading when a column cannot tell
    hours_unit: str = "hours"
    repeated: str | None = None  # a field spread over repeated columns (Jira "Log Work")
    options: Mapping[str, str] = field(default_factory=dict)
    one_of: tuple[str, ...] = ()  # at least one of these must be present too (exports hold chosen columns)
    needs_marker: bool = False  # only with one of its markers (a name column alone is no canonical file)

    def resolve(self, header: Sequence[str]) -> dict[str, int]:
        """canonical field → column index (first match wins; repeated fields list every index)."""
        index = {}
        normal = [norm(h) for h in header]
        for name, aliases in self.fields.items():
            wanted = {norm(a) for a in aliases}
            for i, h in enumerate(normal):
                if h in wanted:
                    index[name] = i
                    break
        return index

    def repeated_columns(self, header: Sequence[str]) -> list[int]:
        if not self.repeated:
            return []
        wanted = {norm(a) for a in self.fields[self.repeated]}
        return [i for i, h in enumerate(header) if norm(h) in wanted]


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
    "estimated_hours": _f("estimated_hours", "Estimated hours"),
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

# Kimai's export headers per language: English, German, Italian, French, Spanish, Dutch, Portuguese
# (Portugal and Brazil), as Kimai's own translation files give them
KIMAI_LANGUAGES = ("en", "de", "it", "fr", "es", "nl", "pt", "pt_BR")
KIMAI = {
    "date": ("Date", "Datum", "Data", "Fecha"),
    "begin": ("From", "Begin", "Von", "Beginn", "Da", "De", "Desde", "Van"),
    "end": ("To", "End", "Bis", "Ende", "A", "À", "Para", "Hasta", "Tot", "Até"),
    "duration": ("Duration", "Dauer", "Durata", "Durée", "Duración", "Duur", "Duração"),
    "user": ("User", "Username", "Benutzer", "Utente", "Utilisateur", "Nom d'utilisateur", "Usuario", "Gebruiker",
             "Gebruikersnaam", "Utilizador", "Nome do utilizador", "Usuário", "Nome do usuário"),
    "customer": ("Customer", "Kunde", "Cliente", "Client", "Klant"),
    "project": ("Project", "Projekt", "Progetto", "Projet", "Proyecto", "Projeto"),
    "activity": ("Activity", "Tätigkeit", "Aktivität", "Attività", "Activité", "Actividad", "Activiteit", "Atividade"),
    "description": ("Description", "Beschreibung", "Descrizione", "Descripción", "Beschrijving", "Omschrijving",
                    "Descrição"),
    "billable": ("Billable", "Abrechenbar", "Fatturabile", "Facturable", "Factureerbaar", "Faturável"),
}

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
        "email": _f("Email"), "stage": _f("Lead Status", "Lifecycle Stage"), "created_on": _f("Create Date"),
        "organisation": _f("Company Name", "Associated Company"), "owner": _f("Contact owner"),
        "lead_source": _f("Original Source", "Original Traffic Source"), "modified_at": _f("Last Modified Date"),
        "last_activity": _f("Last Activity Date"),
    }, required=("external_id",), one_of=("email", "first_name", "last_name"),
        markers=("Lead Status", "Record ID", "Lifecycle Stage")),
    Format("pipedrive-deals", "leads", "Pipedrive deals", {
        "external_id": _f("Deal - ID"), "name": _f("Deal - Title"), "stage": _f("Deal - Stage"),
        "amount": _f("Deal - Value"), "currency": _f("Deal - Currency"), "status": _f("Deal - Status"),
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
        "modified_at": _f("Last Updated on", "write_date"),
    }, required=("name", "stage"), one_of=("owner", "amount", "organisation"),
        markers=("Expected Revenue", "expected_revenue", "planned_revenue", "Salesperson", "stage_id",
                 "stage_id/id", "user_id/id", "partner_name")),
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
    Format("toggl", "time", "Toggl Track detailed", {
        "person": _f("User"), "email": _f("Email"), "client": _f("Client"), "project": _f("Project"),
        "task": _f("Task"), "description": _f("Description"), "billable": _f("Billable"),
        "work_date": _f("Start date"), "start_time": _f("Start time"), "end_date": _f("End date"),
        "end_time": _f("End time"), "hours": _f("Duration"), "tags": _f("Tags"),
    }, required=("person", "work_date", "start_time", "hours"), markers=("Start date", "Start time", "Duration")),
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
    Format("kimai", "time", "Kimai", {
        "work_date": _f(*KIMAI["date"]), "start_time": _f(*KIMAI["begin"]), "end_time": _f(*KIMAI["end"]),
        "hours": _f(*KIMAI["duration"]), "person": _f(*KIMAI["user"]), "client": _f(*KIMAI["customer"]),
        "project": _f(*KIMAI["project"]), "activity": _f(*KIMAI["activity"]),
        "description": _f(*KIMAI["description"]), "billable": _f(*KIMAI["billable"]), "rate": _f("Rate", "Preis"),
    }, required=("work_date", "hours", "client", "activity"), markers=(*KIMAI["activity"], *KIMAI["customer"]),
        date_order="day/month"),
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


@dataclass(frozen=True)
class Detection:
    format: Format
    columns: dict[str, int]
    unused: tuple[str, ...]  # header names nothing maps


def _fit(fmt: Format, header: Sequence[str]) -> tuple[int, int] | None:
    """How well ``fmt`` explains ``header`` (markers, then columns), or None when it lacks what it needs."""
    cols = fmt.resolve(header)
    if not all(r in cols for r in fmt.required):
        return None
    if fmt.one_of and not any(r in cols for r in fmt.one_of):
        return None
    normal = {norm(h) for h in header}
    markers = sum(norm(m) in normal for m in fmt.markers)
    if fmt.needs_marker and not markers:
        return None
    return markers, len(cols)


def detect(header: Sequence[str], kind: str | None = None, name: str | None = None) -> Detection:
    """The preset that fits ``header`` (or the one named); FormatError lists what was expected."""
    if name:
        if name not in BY_NAME:
            raise FormatError(f"unknown format {name!r}; known: {', '.join(BY_NAME)}")
        candidates: Sequence[Format] = [BY_NAME[name]]
    else:
        candidates = [f for f in PRESETS if kind is None or f.kind == kind]
    best: tuple[tuple[int, int], Format] | None = None
    for fmt in candidates:
        fit = _fit(fmt, header)
        if fit is not None and (best is None or fit > best[0]):
            best = (fit, fmt)
    if best is None:
        if name:
            fmt = BY_NAME[name]
            cols = fmt.resolve(header)
            missing = [fmt.fields[r][0] for r in fmt.required if r not in cols]
            raise FormatError(f"line 1: not a {fmt.label} header: missing column(s) {', '.join(missing)}")
        raise FormatError("line 1: the header matches no known export layout "
                          f"({', '.join(f.label for f in candidates)}); "
                          "use --format NAME, or --map FILE to name the columns")
    fmt = best[1]
    cols = fmt.resolve(header)
    used = set(cols.values()) | set(fmt.repeated_columns(header))
    return Detection(fmt, cols, tuple(h for i, h in enumerate(header) if i not in used))


def load_mapping(path: Path | str, header: Sequence[str]) -> Detection:
    """An explicit column mapping for unknown layouts (TOML):

        kind = "time"                # leads | time | budgets
        date_order = "day/month"     # optional
        [columns]
        work_date = "Day"            # canonical field = header in the file
        hours = "Time (h)"
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise FormatError(f"{path.name}: cannot read the mapping ({e})") from None
    return mapping_from_doc(doc, header, path.name)


def mapping_from_doc(doc: Mapping, header: Sequence[str], name: str = "mapping") -> Detection:
    """The same mapping as a dict (the upload page's form builds one)."""
    path = Path(name)
    kind = doc.get("kind")
    if kind not in FILE_KINDS:
        raise FormatError(f"{path.name}: 'kind' must be one of {', '.join(FILE_KINDS)}, got {kind!r}")
    canonical = CANONICAL[kind]
    columns = doc.get("columns", {})
    unknown = [k for k in columns if k not in canonical]
    if unknown:
        raise FormatError(f"{path.name}: unknown field(s) {', '.join(unknown)}; "
                          f"known for {kind}: {', '.join(canonical)}")
    if doc.get("dollar") and doc["dollar"] not in ISO_4217:
        raise FormatError(f"{path.name}: 'dollar' must be the ISO 4217 code of the dollar '$' means, such as "
                          f"USD or CAD, got {doc['dollar']!r}")
    fields = {k: (v,) for k, v in columns.items()}
    required = REQUIRED[kind]
    fmt = Format(f"mapped-{kind}", kind, f"Mapped {kind} ({path.name})", fields, required,
                 date_order=doc.get("date_order", "month/day"), hours_unit=doc.get("hours_unit", "hours"),
                 options={"dollar": doc["dollar"]} if doc.get("dollar") else {})
    cols = fmt.resolve(header)
    missing = [f"{k} → '{columns[k]}'" for k in columns if k not in cols]
    if missing:
        raise FormatError(f"{path.name}: column(s) not in the file's header: {', '.join(missing)}")
    lacking = [r for r in required if r not in cols]
    if lacking:
        raise FormatError(f"{path.name}: the mapping must name a column for {', '.join(lacking)}")
    used = set(cols.values())
    return Detection(fmt, cols, tuple(h for i, h in enumerate(header) if i not in used))
