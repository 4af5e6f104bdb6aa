"""This week: whom to contact, what is stuck, what to re-score, the quarter's forecast against its target,
and what moved since last week (by name, and the pipeline step by step). Whoever works leads under a CRM
owner name sees their own leads by default (``week.own_leads``, the rule their digest follows too), against
their own target; anyone may choose owners, and a view of several owners lists each in a table."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

import shell
from sales import access, charts
from sales.attention import OVERDUE, THIS_WEEK, TODAY
from sales.forecast import NO_DATE, TIERS, accuracy_report
from sales.managers import owner_table
from sales.money import default_currencies, not_converted
from sales.movement import KINDS, STEP_LABELS, WINDOWS, close_window, movement
from sales.queries import filter_choices
from sales.rubric import NOT_ASSESSED
from sales.tables import MONEY
from sales.week import own_leads, this_week
from shell.contacts import contact_form, undo_offer

shell.routed()

st.title("This week")
who = shell.actor()
today = shell.today()
rates = default_currencies()
if shell.summary().leads == 0:
    shell.empty_state("no leads in the store.")
    st.stop()

mine = shell.query(own_leads, who)
if shell.query(access.needs_owner, who):  # not zeros: what to ask for, then everyone's leads meanwhile
    st.warning(shell.plain(access.ask_for_owner(who)), icon=":material/person_search:")
    st.code(access.owner_command(who), language="bash")
    st.caption("Until then this page shows everyone's leads.")
known = sorted({*shell.query(filter_choices).owners, *mine})
asked = [o for o in st.query_params.get("owner", "").split(",") if o in known]
owners = tuple(st.multiselect("Lead owner", known, default=asked or list(mine), key="week_owner",
                              placeholder="Everyone's leads"))
if owners:
    st.query_params["owner"] = ",".join(owners)
elif "owner" in st.query_params:
    del st.query_params["owner"]
if mine:
    st.caption("Your leads by default: lead owner " + ", ".join(shell.plain(o) for o in mine) + " in the CRM (an "
               "admin sets the name on People & roles); choose other owners to see theirs.")
week = shell.query(this_week, today, owners)
counts = week.counts()

cols = st.columns(5)
cols[0].metric("Overdue follow-ups", counts[OVERDUE])
cols[1].metric("Due today", counts[TODAY])
cols[2].metric("Due later this week", counts[THIS_WEEK])
cols[3].metric("Stuck leads", counts["stuck"])
cols[4].metric("To re-score", counts["to re-score"])

# ---------------------------------------------------------------- per owner (managers)

if not mine:  # whoever sees everyone's leads by default (a manager) gets each owner in a row
    st.subheader("Per owner")
    per_owner = shell.query(owner_table, today, owners)
    if per_owner.empty:
        st.caption("No owner has an open lead or a target this quarter.")
    else:
        st.caption(f"Open leads, overdue follow-ups and stuck leads now; {week.quarter['quarter']}'s weighted forecast "
                   f"in {rates.reporting} against each owner's own target (an admin sets targets on People & roles).")
        amounts = ("forecast", "target", "forecast_minus_target")  # money in the reporting currency, as the digest
        shell.table(per_owner, "per-owner.csv", column_config={"currency": None},
                    labels={"open_leads": "Open", "share_of_target": "Share of target"},
                    units=dict.fromkeys(amounts, MONEY), currency=rates.reporting)

# ---------------------------------------------------------------- follow-ups

st.subheader("Follow-ups")
SHOWN = 12  # rows with a button each; the download lists them all


undo_offer()
due = week.followups
if due.empty:
    st.caption("Nobody is due for a follow-up this week.")
else:
    more = f" The first {SHOWN} of {len(due):,}; the download lists all." if len(due) > SHOWN else ""
    st.caption("By the category's cadence from the last contact (logged here or on the workbench, or the CRM's "
               "last activity date), else from the lead's creation; notes, gate ticks and assessments do not "
               "count." + more)
    may_touch = who.may("work_lead")
    for row in due.head(SHOWN).itertuples():
        c = st.columns([3, 4, 1.4] if may_touch else [3, 5.4], vertical_alignment="center")
        c[0].text(row.name)  # plain text: a name from a CRM file is never Markdown
        touched = "never contacted" if pd.isna(row.last_contact) else f"last contact {row.last_contact:%d %b %Y}"
        due_text = f"overdue {row.days_overdue} d" if row.state == OVERDUE else row.state
        category = row.category if isinstance(row.category, str) else NOT_ASSESSED
        c[1].caption(shell.plain(f"{row.owner or 'no owner'} · {category} · {touched} · {due_text}"))
        if may_touch:
            # the form is drawn only in the open popover (a rerun opens it): twelve closed ones cost a button each
            with c[2].popover("Log contact", icon=":material/call:", key=f"touching_{row.id}",
                              on_change="rerun") as touching:
                if touching.open:
                    contact_form(int(row.id), row.name, key=f"touch_{row.id}")
    shell.download(due, "follow-ups.csv")

# ---------------------------------------------------------------- stuck and re-score

st.subheader("Stuck leads")
if week.stuck.empty:
    st.caption("No open lead has sat in its stage longer than the stage's limit (data/lifecycle.toml).")
else:
    st.caption(f"{week.stuck_total:,} open leads have sat in their stage longer than its limit"
               + (f"; the {len(week.stuck):,} longest over are listed." if week.stuck_total > len(week.stuck) else ".")
               + " Unmet: what the stage's gate still lacks.")
    shell.table(week.stuck, "stuck-leads.csv")

st.subheader("To re-score")
if week.rescore.empty:
    st.caption("Every open lead has a recent assessment with every factor known.")
else:
    shell.table(week.rescore, "to-re-score.csv")

# ---------------------------------------------------------------- forecast

q = week.quarter
st.subheader(f"Forecast, {q['quarter']}")
cols = st.columns(5)
for col, tier in zip(cols, TIERS):
    col.metric(f"{tier.capitalize()}, {q['currency']}", f"{q[tier]:,.0f}")
cols[3].metric(f"Total weighted, {q['currency']}", f"{q['total']:,.0f}")
if q["target"]:
    cols[4].metric("Target", f"{q['target']:,.0f}", f"{q['total'] - q['target']:+,.0f} against it")
basis = q["target_basis"]
target_note = (f"Target: {basis}." if q["target"] else
               f"{basis[:1].upper() + basis[1:]}: an admin sets quarter targets on People & roles.")
st.caption(shell.plain(" ".join(filter(None, [rates.note(q["codes"]), not_converted(q["unconverted"]),
                                             target_note]))))

by_month = week.forecast
undated = by_month[by_month["quarter"] == NO_DATE]
if len(undated) < len(by_month):
    shell.chart(charts.quarter_forecast_chart, this_week, today, owners, extra=(rates.reporting,))
if len(undated):
    st.caption(f"{int(undated['leads'].sum()):,} open leads have no expected close date and are not in any quarter.")
probs = week.probabilities
fallback = sorted(set(probs.loc[probs["basis"] == "fallback", "stage"]))
st.caption("Each open lead's amount × its win probability, learned from the store's closed leads of its rubric "
           "category and stage" + (f"; for {', '.join(fallback)}, too few closed leads yet, so the stage's fallback "
                                   "from data/lifecycle.toml is used" if fallback else "") + ".")
shell.download(by_month, "forecast.csv", "Download the forecast")
with st.expander("Win probabilities"):
    shell.table(probs, "win-probabilities.csv")
trust = st.expander("How far to trust it: past forecasts against what was won", key="week_trust", on_change="rerun")
if trust.open:  # opened on demand: its query runs when someone opens it, not on every first view
    with trust:
        acc = shell.query(accuracy_report, today, 12, owners)
        if acc.empty:
            st.caption("No past month had leads expected to close or won.")
        else:
            shell.chart(charts.accuracy_chart, accuracy_report, today, 12, owners, extra=(rates.reporting,))
            st.caption("At the start of each month: the leads then open and expected to close in it, at the stage "
                       "and category they had, weighted by today's probabilities; against what was won in the month.")
            shell.table(acc, "forecast-accuracy.csv")

# ---------------------------------------------------------------- what moved


def _day(key: str, default):
    try:
        return date.fromisoformat(st.query_params.get(key, ""))
    except ValueError:
        return default


st.subheader("Since last week")
left_col, right_col = st.columns([2, 3])
asked_period = (_day("moved_from", today - timedelta(days=6)), _day("moved_to", today))
chosen = left_col.date_input("Between", value=asked_period, key="moved_period")
start, end = chosen if isinstance(chosen, (list, tuple)) and len(chosen) == 2 else asked_period  # while picking
asked = st.query_params.get("close", "this-quarter")
close = right_col.segmented_control("Waterfall of the leads expected to close", list(WINDOWS),
                                    format_func=WINDOWS.get, key="moved_close",
                                    default=asked if asked in WINDOWS else "this-quarter") or "none"
st.query_params.update({"moved_from": start.isoformat(), "moved_to": end.isoformat(), "close": close})
close_from, close_to = close_window(close, end)
moved = shell.query(movement, start, end, close_from, close_to, owners)

kinds = moved.counts()
for row in (KINDS[:4], KINDS[4:]):
    for col, kind in zip(st.columns(4), row):
        col.metric(kind.capitalize(), kinds[kind])
ch = week.changes
st.caption(f"{start:%d %b} – {end:%d %b %Y}, as the CRM exports recorded it (re-imported exports keep each lead's "
           f"history). Also in the last seven days: {ch['stage_moves']} stage moves and {ch['assessments']} "
           "assessments recorded here.")
if moved.moves.empty:
    st.caption("Nothing moved in these days.")
else:
    shell.table(moved.moves, "movements.csv", column_config={"id": None})

window = (f"leads expected to close from {close_from:%d %b %Y} to {close_to:%d %b %Y}" if close_from
          else "every open lead")
st.markdown(f"**Pipeline, {window}**")
if moved.waterfall.empty:
    st.caption("No open lead with an amount at either end of these days.")
for currency in moved.waterfall["currency"]:
    shell.chart(charts.waterfall_chart, movement, start, end, close_from, close_to, owners, extra=(currency,))
st.caption("Per currency, never converted: open at the start + created + reopened"
           + (" + pulled in" if close_from else "") + " + increases − decreases"
           + (" − pushed out" if close_from else "") + " − won − lost = open at the end. Amount changes of leads "
           "already open are increases and decreases; every other step counts a lead at its amount at the end.")
shell.table(moved.waterfall, "waterfall.csv")
with st.expander("Who is behind each step"):
    shell.table(moved.steps.assign(step=moved.steps["step"].map(STEP_LABELS)), "waterfall-by-lead.csv",
                column_config={"id": None})
if len(moved.apart):
    st.caption(f"{len(moved.apart)} leads are in no value: no amount"
               + (", or no expected close" if close_from else "") + ".")
    shell.table(moved.apart, "listed-apart.csv", column_config={"id": None})
