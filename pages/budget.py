"""Budget: hours billed against budget per account, the burn at its pace, small projects, invoice lines."""

import streamlit as st

import shell
from sales import charts
from sales.budget import NON_BILLABLE_LIMIT, account_status, burn, invoice_lines, period_hours, small_projects

ACCOUNTS_OFFERED = 100  # a list a person scrolls; the finder reaches the rest

shell.routed()

st.title("Hours billed against budget")
f = shell.filters()
today = shell.today()
status = shell.query(account_status, f.start, f.end, today)
if status.empty:
    shell.empty_state("no budgets or time entries for this period.")
    st.stop()

headline = shell.query(period_hours, f.start, f.end)
cols = st.columns(4)
cols[0].metric("Billable hours", f"{headline['billable']:,.0f} h")
cols[1].metric("Budgeted hours", f"{headline['goal']:,.0f} h")
cols[2].metric("Accounts over budget", headline["over"])
cols[3].metric("Accounts at 80–100%", headline["warning"])

shell.chart(charts.budget_usage_chart, account_status, f.start, f.end, today)
if len(status) > 25:
    st.caption(f"The 25 most used of {len(status):,} accounts; the table below lists them all.")
high_overhead = status[status["non_billable_share"] > NON_BILLABLE_LIMIT]
if len(high_overhead):
    st.caption(f"{len(high_overhead)} accounts log more than {NON_BILLABLE_LIMIT:.0%} non-billable hours.")
shell.table(status, "hours-against-budget.csv", column_config={
    "used": st.column_config.ProgressColumn("used", format="percent", min_value=0, max_value=1),
    "non_billable_share": st.column_config.NumberColumn("non-billable share", format="percent"),
    **{c: st.column_config.NumberColumn(format="%.1f") for c in
       ("goal", "billable", "non_billable", "goal_ytd", "spent_ytd", "remaining_ytd", "overhead")}})
st.caption("Goal: monthly budgets prorated by day over the period. Year to date runs from 1 January to today. "
           "Overhead: billable hours beyond the budget.")

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
    shell.download(b, "burn.csv")

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
st.caption("Billable hours per account and month at the rate of the budget in force.")
shell.table(lines, "invoice-lines.csv")
