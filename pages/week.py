"""This week: whom to contact, what is stuck, what to re-score, the quarter's forecast against its target,
and what changed over the last seven days. A business developer sees their own leads; others choose."""

import pandas as pd
import streamlit as st

import shell
from sales import charts
from sales.attention import OVERDUE, THIS_WEEK, TODAY
from sales.forecast import NO_DATE, TIERS, accuracy_report
from sales.money import default_currencies
from sales.queries import filter_choices
from sales.week import owner_names, this_week
from sales.workbench import log_touch

shell.routed()

st.title("This week")
who = shell.actor()
today = shell.today()
rates = default_currencies()
if shell.summary().leads == 0:
    shell.empty_state("no leads in the store.")
    st.stop()

if who.role == "bizdev":
    owners = shell.query(owner_names, who.identity)
    st.caption("Your leads: lead owner " + ", ".join(shell.plain(o) for o in owners) + " in the CRM (an admin "
               "sets the name on People & roles).")
else:
    known = list(shell.query(filter_choices).owners)
    asked = [o for o in st.query_params.get("owner", "").split(",") if o in known]
    owners = tuple(st.multiselect("Lead owner", known, default=asked, key="week_owner",
                                  placeholder="Everyone's leads"))
    if owners:
        st.query_params["owner"] = ",".join(owners)
    elif "owner" in st.query_params:
        del st.query_params["owner"]
week = shell.query(this_week, today, owners)
counts = week.counts()

cols = st.columns(5)
cols[0].metric("Overdue follow-ups", counts[OVERDUE])
cols[1].metric("Due today", counts[TODAY])
cols[2].metric("Due later this week", counts[THIS_WEEK])
cols[3].metric("Stuck leads", counts["stuck"])
cols[4].metric("To re-score", counts["to re-score"])

# ---------------------------------------------------------------- follow-ups

st.subheader("Follow-ups")
SHOWN = 12  # rows with a button each; the download lists them all


def _touch(lead_id: int, name: str) -> None:
    """A callback: the rerun that follows already shows the lead's next follow-up moved."""
    try:
        log_touch(shell.store(), who, lead_id)
    except shell.REFUSED as e:
        shell.refused(e)
        return
    except Exception as e:  # noqa: BLE001 (the visitor gets a sentence, the log the traceback)
        shell.log_error(e)
        st.toast("The contact could not be logged; nothing was changed.", icon=":material/error:")
        return
    st.toast(f"Contact with {shell.plain(name)} logged.", icon=":material/check:")


due = week.followups
if due.empty:
    st.caption("Nobody is due for a follow-up this week.")
else:
    more = f" The first {SHOWN} of {len(due):,}; the download lists all." if len(due) > SHOWN else ""
    st.caption("By the category's cadence from the last touch (the latest log entry, stage change or CRM "
               "update)." + more)
    may_touch = who.may("work_lead")
    for row in due.head(SHOWN).itertuples():
        c = st.columns([3, 4, 1.4] if may_touch else [3, 5.4], vertical_alignment="center")
        c[0].text(row.name)  # plain text: a name from a CRM file is never Markdown
        touched = "never touched" if pd.isna(row.last_touch) else f"last touch {row.last_touch:%d %b %Y}"
        due_text = f"overdue {row.days_overdue} d" if row.state == OVERDUE else row.state
        category = row.category if isinstance(row.category, str) else "not assessed"
        c[1].caption(shell.plain(f"{row.owner or 'no owner'} · {category} · {touched} · {due_text}"))
        if may_touch:
            c[2].button("Log touch", key=f"touch_{row.id}", icon=":material/call:", on_click=_touch,
                        args=(int(row.id), row.name))
    shell.download(due, "follow-ups.csv")

# ---------------------------------------------------------------- stuck and re-score

st.subheader("Stuck leads")
if week.stuck.empty:
    st.caption("No open lead has sat in its stage longer than the stage's limit (data/lifecycle.toml).")
else:
    st.caption(f"{week.stuck_total:,} open leads have sat in their stage longer than its limit"
               + (f"; the {len(week.stuck):,} longest over are listed." if week.stuck_total > len(week.stuck) else ".")
               + " Unmet: what the stage's gate still lacks.")
    shell.table(week.stuck, "stuck-leads.csv",
                column_config={"limit_days": st.column_config.NumberColumn("Limit (days)")})

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
left = ", ".join(f"{v:,.0f} {k}" for k, v in q["unconverted"].items())
st.caption(rates.note(q["codes"]) + (f" Not converted: {left}." if left else ""))

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
    shell.table(probs, "win-probabilities.csv", column_config={
        c: st.column_config.NumberColumn(format="percent") for c in ("probability", "low", "high")})
with st.expander("How far to trust it: past forecasts against what was won"):
    acc = shell.query(accuracy_report, today, 12, owners)
    if acc.empty:
        st.caption("No past month had leads expected to close or won.")
    else:
        shell.chart(charts.accuracy_chart, accuracy_report, today, 12, owners, extra=(rates.reporting,))
        st.caption("At the start of each month: the leads then open and expected to close in it, at the stage and "
                   "category they had, weighted by today's probabilities; against what was won in the month.")
        shell.table(acc, "forecast-accuracy.csv", column_config={
            "error": st.column_config.NumberColumn(format="percent")})

# ---------------------------------------------------------------- changes

ch = week.changes
st.subheader("Since last week")
cols = st.columns(5)
for col, (label, key) in zip(cols, [("New leads", "new_leads"), ("Won", "won"), ("Lost", "lost"),
                                    ("Stage moves", "stage_moves"), ("Assessments", "assessments")]):
    col.metric(label, ch[key])
won = ", ".join(f"{v:,.0f} {k}" for k, v in ch["won_amount"].items())
st.caption(f"{ch['from']:%d %b} – {ch['to']:%d %b %Y}." + (f" Won: {won}." if won else ""))
