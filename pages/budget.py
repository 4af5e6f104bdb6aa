"""Budget: hours billed against budget per account, the burn at its pace, small projects, invoice lines."""

import streamlit as st

import shell
from sales import charts
from sales.budget import NON_BILLABLE_LIMIT, account_status, burn, invoice_lines, period_hours, small_projects

ACCOUNTS_OFFERED = 100  # a list a person scrolls; the finder reaches the rest

shell.routed()

st.title("Hours billed against budget")
f = shell.filters(leads=False, period_label="Period (hours worked)")  # accounts, not leads: no lead filters
today = shell.today()
status = shell.query(account_status, f.start, f.end, today)
if status.empty:
    shell.empty_state("no budgets or time entries for this period.")
    st.stop()

headline = shell.query(period_hours, f.start, f.end)
cols = st.columns(5)
cols[0].metric("Billable hours", f"{headline['billable']:,.0f} h")
cols[1].metric("Budgeted hours", f"{headline['goal']:,.0f} h")
cols[2].metric("Accounts over budget", headline["over"])
cols[3].metric("Accounts at 80–100%", headline["warning"])
cols[4].metric("Accounts with no budget", headline["no_budget"],
               help="Billable hours in the period and no budget in force: not counted as over.")

shell.chart(charts.budget_usage_chart, account_status, f.start, f.end, today)
if len(status) > 25:
    st.caption(f"The 25 most used of {len(status):,} accounts; the table below lists them all.")
high_overhead = status[status["non_billable_share"] > NON_BILLABLE_LIMIT]
if len(high_overhead):
    st.caption(f"{len(high_overhead)} accounts log more than {NON_BILLABLE_LIMIT:.0%} non-billable hours.")
shell.table(status, "hours-against-budget.csv")
st.caption("Budget: monthly budgets prorated by day over the period. This year runs from 1 January to today. "
           "Beyond budget: billable hours over the budget. No budget: hours logged with no budget in force.")

st.subheader("Burn")
find, pick = st.columns([1, 2])
search = find.text_input("Find an account", key="burn_search", placeholder="part of its name")
matching = status["account"][status["account"].str.contains(search.strip(), case=False, regex=False)]
account = pick.selectbox("Account", ["All accounts", *matching.head(ACCOUNTS_OFFERED)], key="burn_account",
                         help=f"Up to {ACCOUNTS_OFFERED} accounts at a time (of {len(status):,}); type part of a "
                              "name to find the others.")
if len(matching) > ACCOUNTS_OFFERED:
    st.caption(f"{len(matching):,} accounts match; the first {ACCOUNTS_OFFERED} are offered.")
elif matching.empty:
    st.caption("No account of this period matches.")
b = shell.query(burn, f.start, f.end, today, None if account == "All accounts" else account)
if len(b):
    shell.chart(charts.burn_chart, burn, f.start, f.end, today, None if account == "All accounts" else account)
    shell.download(b, "burn.csv", units={"pace": "h"}, labels={"spent": "Actual (h)", "pace": "Pace forecast (h)"})

st.subheader("Small projects")
small = shell.query(small_projects)
if small.empty:
    st.caption("No capped discovery or development budgets yet.")
else:
    for row in small[small["alert"] != "ok"].itertuples():
        st.warning(f"**{shell.plain(row.account)}** {row.kind}: {row.spent:.1f} of {row.cap:.0f} h ({row.alert}).")
    shell.table(small, "small-projects.csv")

st.subheader("Invoice lines")
lines = shell.query(invoice_lines, f.start, f.end)
st.caption("Billable hours per account and month at the rate of the budget in force. A capped small project "
           "bills no hours past its cap: they are listed as worked, and the note says how many were not billed.")
shell.table(lines, "invoice-lines.csv")
