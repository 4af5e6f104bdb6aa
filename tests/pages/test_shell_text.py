"""shell.text: text from people or files shown as the text it is (never a link, image, HTML or formula)."""

import pytest

from shell import WORD_JOINER, plain


@pytest.mark.parametrize("text, expected", [
    ("Plain name", "Plain name"),
    ("**bold** _it_", "\\*\\*bold\\*\\* \\_it\\_"),
    ("![x](http://h/t.png)", "\\!\\[x\\]\\(http\\:" + WORD_JOINER + "//h/t\\.png\\)"),
    ("<img src=x>", "\\<img src\\=x\\>"),
    (":red[alarm] :material/home:", "\\:red\\[alarm\\] \\:material/home\\:"),
    ("$x$ ~y~ `z` # | + - =", "\\$x\\$ \\~y\\~ \\`z\\` \\# \\| \\+ \\- \\="),
    ("ana@agency.example", "ana@" + WORD_JOINER + "agency\\.example"),
    ("www.agency.example", "www" + WORD_JOINER + "\\.agency\\.example"),
    ("line one\nline  two", "line one line two"),
])
def test_plain_escapes_what_markdown_would_render(text, expected):
    assert plain(text) == expected
