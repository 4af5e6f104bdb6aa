"""Text from people or files, shown as the text it is in Streamlit's Markdown."""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"  # invisible; breaks what Markdown would turn into a link by itself


def plain(text: object) -> str:
    """Text from people or files, made safe for Streamlit's Markdown: shown as typed, never as a link,
    image, HTML, formula, colour directive or icon. Punctuation is backslash-escaped; URLs, ``www.``
    and emails, which Markdown links even when escaped, get an invisible word joiner."""
    text = " ".join(str(text).split())
    text = re.sub(r"(?i)(:)(//)|(www)(\.)|(@)", lambda m: WORD_JOINER.join(g for g in m.groups() if g)
                  + (WORD_JOINER if m.group(5) else ""), text)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])", r"\\\1", text)
