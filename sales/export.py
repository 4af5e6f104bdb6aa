"""CSV downloads that a spreadsheet opens safely."""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading quote (OWASP's CSV injection advice);
    numbers stay numbers, so a negative amount is still a number."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM so Excel reads accents right; every text cell neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out.to_csv(index=False).encode("utf-8-sig")
