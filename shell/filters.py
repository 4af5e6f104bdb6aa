"""The sidebar filters, read from and written back to the URL so a view can be shared by its link."""

from __future__ import annotations

from datetime import date

import streamlit as st

from sales.filters import Filters, from_params, to_params
from sales.queries import filter_choices
from shell.cache import query
from shell.navigation import links_follow
from shell.text import plain


def today() -> date:
    return date.today()


def filters(period: bool = True, leads: bool = True, period_label: str = "Period (leads created / closed)") -> Filters:
    """Sidebar filters, read from and written back to the URL so a view can be shared. ``leads=False``: a page
    whose numbers no lead filter changes shows none (those in the URL stay there for the next page);
    ``period_label`` says what the period selects."""
    choices = query(filter_choices)
    f, notices = from_params(st.query_params.to_dict(), today(), choices)
    for notice in notices:
        st.info(plain(f"Link: {notice}."), icon=":material/link_off:")
    options = {"lead_source": list(choices.sources), "owner": list(choices.owners)}
    with st.sidebar:
        st.subheader("Filters")
        if period:
            chosen = st.date_input(period_label, value=(f.start, f.end), key="f_period")
            start, end = (chosen if isinstance(chosen, (list, tuple)) and len(chosen) == 2 else (f.start, f.end))
        else:
            start, end = f.start, f.end
        if not leads:
            cats, sources, owners = f.categories, f.sources, f.owners
        else:
            cats = st.multiselect("Category", list(choices.categories),
                                  default=[c for c in f.categories if c], key="f_category")
            sources = st.multiselect("Source", options["lead_source"],
                                     default=[s for s in f.sources if s in options["lead_source"]], key="f_source")
            owners = st.multiselect("Owner", options["owner"],
                                    default=[o for o in f.owners if o in options["owner"]], key="f_owner")
    chosen_f = Filters(start, end, tuple(cats), tuple(sources), tuple(owners))
    keep = {k: v for k, v in st.query_params.to_dict().items() if k not in ("from", "to", "category", "source",
                                                                              "owner")}
    wanted = {**keep, **to_params(chosen_f)}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
        links_follow()
    return chosen_f
