"""Email addresses that end up in mail headers (the digest's From and To), checked where they enter: when a
grant is saved and when the SMTP settings are read, not in the middle of sending.

An address is one mailbox, ``local@domain``: letters and digits of any script, the few punctuation marks
an unquoted address allows before the @, and letters, digits, hyphens and dots after it. A line break
(which would start a header of its own, as ``a@x.example\\r\\nBcc: …`` tries), any other control or
invisible character, a space, or a character that separates or quotes addresses (``,;<>()[]":\\``) is
refused with its name.
"""

from __future__ import annotations

import email.utils
import unicodedata

_LOCAL_PUNCTUATION = set("!#$%&'*+/=?^_`{|}~-.")
_LINE_BREAKS = set("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _character(ch: str) -> str:
    """A character named so that a person can find it in what they typed."""
    code = f"U+{ord(ch):04X}"
    if ch in _LINE_BREAKS:
        return f"a line break ({code}), which would start a mail header of its own"
    category = unicodedata.category(ch)
    if category.startswith("C"):
        return f"the control or invisible character {code}"
    if category.startswith("Z"):
        return f"a space ({code})"
    return f"the character {ch!r} ({code})"


def _letter(ch: str) -> bool:
    return ch.isascii() and ch.isalnum() or not ch.isascii() and unicodedata.category(ch)[0] in "LMN"


def problem(address: str) -> str | None:
    """Why ``address`` cannot be one mailbox in a mail header, as a phrase ("it holds …"); None when it can."""
    for ch in address:
        if ch in _LINE_BREAKS or unicodedata.category(ch)[0] in "CZ":
            return f"it holds {_character(ch)}"
    if address.count("@") != 1:
        return "it needs exactly one @"
    local, domain = address.split("@")
    if not local or not domain:
        return "it needs a name before the @ and a domain after it"
    for ch in local:
        if not (_letter(ch) or ch in _LOCAL_PUNCTUATION):
            return f"it holds {_character(ch)} before the @"
    for ch in domain:
        if not (_letter(ch) or ch in "-."):
            return f"it holds {_character(ch)} in its domain"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "its dots before the @ must stand between other characters"
    if any(not label or label.startswith("-") or label.endswith("-") for label in domain.split(".")):
        return "its domain must be names joined by single dots, such as agency.example"
    return None


def check(address: str, what: str = "email") -> str:
    """``address`` itself, or ValueError naming the problem."""
    why = problem(address)
    if why:
        raise ValueError(f"{what} {address!r} cannot be used as a mail address: {why}")
    return address


def sender_problem(value: str) -> str | None:
    """Like ``problem`` for a From value, which may carry a display name: ``Sales <sales@agency.example>``."""
    for ch in value:
        if ch in _LINE_BREAKS or unicodedata.category(ch)[0] == "C":
            return f"it holds {_character(ch)}"
    found = email.utils.getaddresses([value])
    if len(found) != 1 or value not in (found[0][1], email.utils.formataddr(found[0])):
        return "it must be one address, alone or after a name: Sales <sales@agency.example>"
    return problem(found[0][1])
