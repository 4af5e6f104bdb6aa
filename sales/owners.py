"""Lead owner names: the names the CRM writes on the leads, which people and targets are tied to.

Rules (README: Running for a team, step 5):

- The owner names a store knows are those on its leads and those already recorded for a person's grant.
- A name is compared exactly as the CRM writes it, after runs of spaces are made one and the ends trimmed.
- An admin ties a person (or a target) to an owner name the store knows. A name it does not know is refused,
  with the known names closest to it, unless the admin says it is a new owner whose leads are still to come
  (``new_owner``): a typo is not a new person.
"""

from __future__ import annotations

import difflib

import duckdb

CLOSE = 3  # how many close names a refusal lists


class UnknownOwner(ValueError):
    """An owner name no lead and no grant carries; ``close``: the known names that look like it."""

    def __init__(self, name: str, close: list[str]):
        self.name, self.close = name, close
        hint = (f"did you mean {', '.join(repr(c) for c in close)}? " if close else "")
        super().__init__(f"no lead has the owner {name!r}: {hint}choose it as the CRM writes it on the leads, "
                         "or say it is a new owner (--new-owner; on People & roles, type it as a new name) for "
                         "someone whose leads are still to come")


def clean(name: str | None) -> str | None:
    """The name as compared and stored: inner runs of spaces made one, ends trimmed; blank is None."""
    return " ".join(str(name or "").split()) or None


def known_owners(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Every owner name the store knows, sorted: on the leads and recorded for people's grants."""
    return [r[0] for r in cur.execute("""SELECT owner FROM leads WHERE owner IS NOT NULL AND trim(owner) <> '' UNION
                                         SELECT crm_owner FROM access_grants WHERE crm_owner IS NOT NULL
                                         ORDER BY 1""").fetchall()]


def known_owner(cur: duckdb.DuckDBPyConnection, owner: str) -> bool:
    """Whether a lead or a person's grant carries this owner name, exactly."""
    return bool(cur.execute("""SELECT 1 FROM leads WHERE owner = ? UNION ALL
                               SELECT 1 FROM access_grants WHERE crm_owner = ? LIMIT 1""", [owner, owner]).fetchall())


def close_names(name: str, known: list[str]) -> list[str]:
    """The known names that look most like ``name`` (case aside), closest first."""
    folded = {k.casefold(): k for k in known}
    same_case = [k for k in known if k.casefold() == name.casefold()]
    near = difflib.get_close_matches(name.casefold(), list(folded), n=CLOSE, cutoff=0.6)
    return list(dict.fromkeys([*same_case, *(folded[n] for n in near)]))[:CLOSE]


def checked_owner(cur: duckdb.DuckDBPyConnection, name: str | None, new_owner: bool = False) -> str | None:
    """``name`` cleaned, when the store knows it or ``new_owner`` says it is new; UnknownOwner otherwise.
    Blank is None (no owner name)."""
    name = clean(name)
    if name is None or new_owner or known_owner(cur, name):
        return name
    raise UnknownOwner(name, close_names(name, known_owners(cur)))
