"""What a number read from a TOML file may be. TOML's true and false arrive as Python bools, which are
ints too, so each check refuses them first; NaN is within no bounds."""

from __future__ import annotations


def whole(value: object, least: int | None = None, most: int | None = None) -> bool:
    """A whole number (not true or false) from ``least`` to ``most``, where given."""
    return isinstance(value, int) and not isinstance(value, bool) and _within(value, least, most)


def number(value: object, least: float | None = None, most: float | None = None) -> bool:
    """A whole or decimal number (not true or false) from ``least`` to ``most``, where given."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and _within(value, least, most)


def _within(value: float, least: float | None, most: float | None) -> bool:
    return (least is None or value >= least) and (most is None or value <= most)
