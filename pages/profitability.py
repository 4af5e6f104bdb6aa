"""Profitability (admins): does the work pay? Margin per account and month, per rubric category at the win,
realisation and effective hourly rate."""

import pandas as pd
import streamlit as st

import shell
from sales.team import charts, margin

shell.routed()

st.title("Profitability")
who = shell.actor()
if not who.may("see_costs"):  # the navigation hides the page; sales/team/margin refuses too
    st.error("Cost rates and margins are for admins.")
    st.stop()
f = shell.filters()
m = shell.query(margin.margin, who, f)
if m.accounts.empty:
    shell.empty_state("no time entries in the months of this period.")
    st.stop()

months, t = m.by_month, margin.totals(m)
cols = st.columns(5)
cols[0].metric(f"Revenue, {m.reporting}", f"{t['revenue']:,.0f}")
cols[1].metric(f"Cost, {m.reporting}", f"{t['cost']:,.0f}")
cols[2].metric(f"Margin, {m.reporting}", f"{t['margin']:,.0f}",
               f"{t['margin_pct']:.0%} of revenue" if pd.notna(t["margin_pct"]) else None)
cols[3].metric(f"Revenue ÷ all hours, {m.reporting}",
               f"{t['effective_rate']:,.2f}" if pd.notna(t["effective_rate"]) else "–", help="Effective hourly rate")
cols[4].metric("Billed ÷ billable hours", f"{t['realisation']:.0%}" if pd.notna(t["realisation"]) else "–",
               help="Realisation")
if len(m.missing_rates):
    st.warning(f"{m.missing_rates['hours'].sum():,.1f} hours have no cost rate in force and are left out of the cost: "
               + ", ".join(shell.plain(p) for p in m.missing_rates["person"].head(10))
               + ". Add their rates on People & roles.", icon=":material/money_off:")
if len(m.unconverted):
    st.warning(f"{len(m.unconverted):,} account months could not be converted and are left out (listed below).",
               icon=":material/currency_exchange:")

st.subheader("By month")
shell.chart(charts.margin_month_chart, margin.margin, who, f)
shell.table(months, "margin-by-month.csv", currency=m.reporting)

st.subheader("By rubric category at the win")
shell.chart(charts.margin_category_chart, margin.margin, who, f)
shell.table(m.by_category, "margin-by-category.csv", currency=m.reporting)
st.caption("An account's category: that of the latest won lead whose organisation names it, at the date it was won "
           "(its latest assessment by then); \"no lead\" otherwise.")

st.subheader("By account and month")
shell.table(m.accounts, "margin-by-account.csv")
st.caption("In each account's billing currency. Revenue: retainers bill every billable hour at the rate in force; "
           "capped small projects bill up to their cap in date order and write off the rest (a discovery for a High "
           "lead is an investment, billed at nothing); fixed-price work earns its fee by the share of its hours "
           "done. Cost: every hour × the person's cost rate that day. Effective rate: revenue ÷ all hours. "
           "Realisation: billed ÷ billable hours.")
if len(m.missing_rates):
    with st.expander("Hours without a cost rate"):
        shell.table(m.missing_rates, "hours-without-cost-rate.csv")
if len(m.unconverted):
    with st.expander("Left out"):
        shell.table(m.unconverted, "margin-left-out.csv")
