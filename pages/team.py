"""Team: utilisation per person and week against their targets, and capacity for the coming weeks against
confirmed work and the pipeline, as a range. No cost rates here (Profitability, for admins)."""

import streamlit as st

import shell
from sales.filters import Filters
from sales.team import capacity, charts, roster, utilisation
from sales.team.settings import default_capacity

shell.routed()

st.title("Team")
f = shell.filters()
today = shell.today()
settings = default_capacity()
people = shell.query(roster.roster)
if people.empty and shell.summary().time_entries == 0:
    shell.empty_state("no people and no time entries in the store. Import people.csv (data/templates) with "
                      "`python -m sales import people.csv`, or add people on People & roles.")
    st.stop()

# ---------------------------------------------------------------- utilisation

st.subheader("Utilisation")
grain = st.segmented_control("Per", utilisation.GRAINS, default="week", key="team_grain") or "week"
seen = shell.query(utilisation.view, f.start, f.end, grain)
util, unknown = seen.table, seen.unknown
if len(unknown):
    names = ", ".join(shell.plain(p) for p in unknown["person"].head(10))
    st.warning(f"{len(unknown):,} people logged time in the period without a row among the people, so their hours "
               f"count nowhere here: {names}" + (" …" if len(unknown) > 10 else "") + ". Add them on People & roles.",
               icon=":material/person_off:")
if util.empty:
    st.caption("Nobody of the roster had hours available or logged in the period.")
else:
    total = utilisation.together(util)
    cols = st.columns(4)
    billable, logged = total["billable_utilisation"], total["utilisation"]
    cols[0].metric("Billable ÷ available hours", "–" if billable is None else f"{billable:.0%}",
                   help="Billable utilisation over the period, everyone together")
    cols[1].metric("Logged ÷ available hours", "–" if logged is None else f"{logged:.0%}",
                   help="Utilisation over the period, everyone together")
    cols[2].metric(f"{grain.capitalize()}s over {settings.over:.0%}", total["over"])
    cols[3].metric(f"{grain.capitalize()}s under target − {settings.under_target_by * 100:.0f} pts",
                   total["under_target"])
    shell.chart(charts.utilisation_heatmap, utilisation.view, f.start, f.end, grain)
    st.caption(f"Colour: billable utilisation (billable hours ÷ available hours) against each person's target; "
               f"▲ logged hours over {settings.over:.0%} of available hours, ▼ billable utilisation more than "
               f"{settings.under_target_by * 100:.0f} points under the target. Available hours = capacity − public "
               f"holidays − time off. {grain.capitalize()}s that begin in the period.")
    shell.table(util, f"utilisation-{grain}.csv", column_config={
        c: st.column_config.NumberColumn(format="percent") for c in ("billable_utilisation", "utilisation", "target")})

# ---------------------------------------------------------------- capacity

st.subheader(f"Capacity, the next {settings.weeks} weeks")
pipeline = Filters.everything(categories=f.categories, sources=f.sources, owners=f.owners)
fc = shell.query(capacity.forecast, today, pipeline)
weeks = fc.weeks
ahead = weeks[weeks["week"] > today.isoformat()].head(1)
if len(ahead):
    r = ahead.iloc[0]
    cols = st.columns(5)
    cols[0].metric(f"Capacity, week of {r['week']}", f"{r['capacity_hours']:,.0f} h")
    cols[1].metric("Confirmed", f"{r['confirmed_hours']:,.0f} h")
    cols[2].metric("Expected from the pipeline", f"{r['expected_hours']:,.0f} h")
    cols[3].metric("Pipeline P50", f"{r['p50_hours']:,.0f} h")
    cols[4].metric("Pipeline P90", f"{r['p90_hours']:,.0f} h")
shell.chart(charts.capacity_chart, capacity.forecast, today, pipeline)
how = (f"each cell of leads starting on the same day simulated {settings.pooled_draws:,} times, each draw taking "
       "one of those outcomes per cell" if fc.pooled else "every draw simulated afresh")
st.caption(f"Confirmed: retainers' monthly hours over their months' weekdays, and capped or fixed budgets' remaining "
           f"hours over the next 4 weeks. Expected: each open lead's hours × its win probability, from "
           f"{settings.start_lag_days} days after its expected close, spread over {settings.delivery_weeks} weeks; "
           f"exposure: as if every open lead were won. P10–P90: {fc.draws:,} draws of which leads are won, each "
           f"independently with its probability (seed {fc.seed}; {how}), on top of the confirmed hours. "
           f"Ceiling: capacity × {settings.earliest_start_ceiling:.0%}.")
shell.table(weeks, "capacity.csv")

st.markdown("**Won revenue per quarter of expected close**")
if fc.revenue.empty:
    st.caption("No open leads.")
else:
    shell.chart(charts.revenue_chart, capacity.won_revenue, today, pipeline, extra=(fc.reporting,))
    shell.table(fc.revenue, "won-revenue-by-quarter.csv")
    st.caption(f"P10 / P50 / P90 of the simulated won amounts, per currency and converted into {fc.reporting}; a "
               "lead whose expected close has passed counts in the current quarter.")

leads = fc.leads
with st.expander(f"Where the pipeline's hours come from ({len(leads):,} open leads)"):
    if len(leads):
        shell.table(capacity.hours_by_basis(leads))
        st.caption(f"A lead's hours: its estimated_hours column, else its amount ÷ the hourly rate of its budget, "
                   f"else ÷ the default rate of {settings.default_rate:g} {settings.default_rate_currency} "
                   f"({settings.source}).")
        shell.table(leads[["id", "name", "organisation", "category", "expected_close", "probability", "hours",
                           "basis", "start", "quarter"]], "pipeline-hours.csv",
                    column_config={"probability": st.column_config.NumberColumn(format="percent")})

with st.expander(f"People ({people['name'].nunique():,})"):
    shell.table(people, "people.csv")
    st.caption("Admins add and change people, their time off and cost rates on People & roles.")
