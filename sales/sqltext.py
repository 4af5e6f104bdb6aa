"""Configuration text (category and stage names, next actions from the TOML files) in generated SQL.

Values that come from people or files always travel as bound parameters. The generated dashboard
queries also need configuration text inside the statement (a CASE over category names), and that
goes through this one helper, never through an f-string's quotes.
"""

from __future__ import annotations


def literal(text: str) -> str:
    """A SQL string literal that reads back as exactly ``text`` (quotes doubled; backslashes, %, $ and
    any Unicode stay as they are in DuckDB's standard strings)."""
    if not isinstance(text, str) or "\x00" in text:
        raise ValueError(f"not usable as SQL text: {text!r}")
    return "'" + text.replace("'", "''") + "'"


def literals(texts) -> str:
    """A comma-separated list of literals, for IN (...) and list values."""
    return ", ".join(literal(t) for t in texts)


def identifier(name: str) -> str:
    """A quoted SQL identifier that names exactly ``name`` (a table or database name read from the catalog)."""
    return '"' + name.replace('"', '""') + '"'
