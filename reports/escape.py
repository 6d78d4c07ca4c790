"""Escaping of untrusted text (anything from Jira or Microsoft 365) for every output format.

One function per target format, so a renderer never has to remember the rules:
- HTML: Jinja2 autoescape (and `html_text` for strings built outside templates);
- Markdown (Prefect artifacts, Adaptive Card TextBlocks): backslash-escape every character
  Markdown gives meaning to, and neutralise raw HTML and links;
- Jira wiki markup (REST v2 comments): escape wiki control characters;
- ADF: text nodes carry text as data, so only control characters need removing.
"""

from __future__ import annotations

import re

from markupsafe import escape as _html_escape

# C0 controls except tab/newline, DEL and C1 controls: invisible, and some break parsers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=:&$@^\"'])")
_WIKI_SPECIAL = re.compile(r"([\\{}\[\]|*_+\-^~?#!])")


def clean(text: object) -> str:
    """Text with control characters removed; `None` becomes the empty string."""
    if text is None:
        return ""
    return _CONTROL.sub("", str(text))


def html_text(text: object) -> str:
    return str(_html_escape(clean(text)))


def markdown_text(text: object, *, single_line: bool = True) -> str:
    """Literal text inside Markdown: no emphasis, links, HTML, tables or headings from it."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", clean(text))
    return " ".join(escaped.split()) if single_line else escaped


def wiki_text(text: object) -> str:
    """Literal text inside Jira wiki markup (REST v2 comment bodies)."""
    return " ".join(_WIKI_SPECIAL.sub(r"\\\1", clean(text)).split())


def adf_text(text: object) -> str:
    """Text for an ADF text node (must not be empty: Jira rejects empty text nodes)."""
    return clean(text) or " "


# Adaptive Card TextBlocks: Markdown subset (emphasis, links, lists). Teams shows backslash
# escapes literally, so the few characters that could start markup are swapped for
# look-alikes or split with an invisible separator instead.
_CARD_SWAPS = str.maketrans({"*": "\u2217", "_": "\u02cd"})
_CARD_LIST = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)", re.MULTILINE)


def card_text(text: object) -> str:
    """Literal text inside an Adaptive Card TextBlock or fact: no emphasis, links or lists."""
    out = clean(text).translate(_CARD_SWAPS).replace("](", "]\u200b(")
    return " ".join(_CARD_LIST.sub("\\1\\2\u200b\\3", out).split())
