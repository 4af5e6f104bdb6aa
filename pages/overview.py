"""Overview: the headline figures, each against the previous period and linked to its page."""

import streamlit as st

import shell
from sales import charts
from sales.money import default_currencies, not_converted
from sales.overview import headlines
from sales.priorities import counts_by

shell.routed()

f = shell.dashboard("Overview", leads_only=False)
today = shell.today()
st.caption(f"{f.start:%d %b %Y} – {f.end:%d %b %Y}, compared with the {(f.end - f.start).days + 1} days before.")

PAGES = {"priorities": "pages/priorities.py", "funnel": "pages/funnel.py", "budget": "pages/budget.py"}


def fmt(value, unit: str) -> str:
    if value is None:
        return "–"
    return {"percent": f"{value:.0%}", "hours": f"{value:,.0f} h", "money": f"{value:,.0f}"}.get(unit, f"{value:,}")


def delta(h) -> str | None:
    if h.delta is None:
        return None
    return {"percent": f"{h.delta * 100:+.0f} pts", "hours": f"{h.delta:+,.0f} h",
            "money": f"{h.delta:+,.0f}"}.get(h.unit, f"{h.delta:+,}")


items = shell.query(headlines, f, today)
for row in (items[i:i + 4] for i in range(0, len(items), 4)):
    for col, h in zip(st.columns(4), row):
        with col, st.container(border=True):
            inverse = h.key == "over"  # more accounts over budget is bad news
            st.metric(h.label, fmt(h.value, h.unit), delta(h), delta_color="inverse" if inverse else "normal")
            st.page_link(PAGES[h.page], label=f"Open {h.page}", icon=":material/arrow_forward:")
st.caption("Open leads: created in the period and still open; their value per currency (amounts in different "
           "currencies are never added up). Win rate: leads closed in the period. Hours: billable hours against "
           "the prorated budget of every account.")
codes = [h.currency for h in items if h.currency]
if len(codes) > 1:
    left = dict.fromkeys(c for c in codes if default_currencies().factor(c) is None)  # amounts: the headlines
    st.caption(" ".join(filter(None, [default_currencies().note(codes), not_converted(left)])))

st.subheader("Leads created per month")
monthly = shell.query(counts_by, f, "month")
if monthly.empty:
    st.caption("No leads were created in this period.")
else:
    shell.chart(charts.category_breakdown, counts_by, f, "month", extra=("month",))
