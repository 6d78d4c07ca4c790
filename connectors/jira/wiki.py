"""The one renderer for text sent to Jira Data Center (REST v2), where bodies are wiki markup.

Every comment body and every rendered issue field (description, environment) that goes to
Data Center passes through `render_wiki`. It accepts what callers have:
- an ADF document (what the reports render for Cloud): its structure becomes wiki markup
  (headings, paragraphs, lists, strong/em/code) and every text node is escaped;
- plain text: taken literally, escaped line by line.
There is no way to hand it markup to pass through: text from Jira or Microsoft 365 such as
``[click here|http://evil.example/phish]`` always arrives as inert characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Characters wiki markup gives meaning to: links [..|..], macros {..}, tables |, emphasis
# * _ + - ^ ~ ?? (citation), headings/lists # and images !..!
_WIKI_SPECIAL = re.compile(r"([\\{}\[\]|*_+\-^~?#!])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Block markup at the start of a line ("h1. ", "bq. "): the dot becomes an entity
_BLOCK_START = re.compile(r"^(h[1-6]|bq)\.", re.IGNORECASE)
# An ADF link mark becomes a wiki link only for a plain http(s) URL with no markup in it
_SAFE_HREF = re.compile(r"https?://[^\s|\[\]{}]+", re.IGNORECASE)
_MARKS = {"strong": ("*", "*"), "em": ("_", "_"), "code": ("{{", "}}")}


def escape_wiki(text: object) -> str:
    """Untrusted text made inert in Jira wiki markup (one line: line breaks become spaces,
    so a value can't start a heading, a list item or a table row)."""
    clean = _CONTROL.sub("", "" if text is None else str(text))
    flat = " ".join(_WIKI_SPECIAL.sub(r"\\\1", clean).split())
    return _BLOCK_START.sub(r"\1&#46;", flat)


def render_wiki(body: Any) -> str:
    """Wiki markup for Data Center from an ADF document or from plain text."""
    if isinstance(body, str):
        return "\n".join(escape_wiki(line) for line in body.split("\n"))
    if isinstance(body, Mapping) and body.get("type") == "doc":
        return "\n".join(_blocks(body.get("content") or [])).strip("\n")
    raise ValueError("text for Jira Data Center must be an ADF document or plain text")


def _blocks(nodes: list[Any], bullet: str = "") -> list[str]:
    lines: list[str] = []
    for node in nodes:
        if not isinstance(node, Mapping):
            continue
        kind = node.get("type")
        children = node.get("content") or []
        if kind == "heading":
            level = int((node.get("attrs") or {}).get("level") or 3)
            lines.append(f"h{min(max(level, 1), 6)}. {_inline(children)}")
        elif kind in ("bulletList", "orderedList"):
            mark = "*" if kind == "bulletList" else "#"
            lines += _blocks(children, bullet + mark)
        elif kind == "listItem":
            inner = _blocks(children, bullet)
            first, rest = (inner[0] if inner else ""), inner[1:]
            lines.append(f"{bullet} {first}")
            lines += rest
        elif kind == "paragraph":
            lines.append(_inline(children))
        elif kind == "rule":
            lines.append("----")
        else:  # anything else: its text, escaped
            lines.append(_inline(children) if children else escape_wiki(node.get("text")))
    return lines


def _inline(nodes: list[Any]) -> str:
    parts = []
    for node in nodes:
        if not isinstance(node, Mapping):
            continue
        if node.get("type") == "hardBreak":
            parts.append("\\\\ ")
            continue
        text = escape_wiki(node.get("text")) if node.get("type") == "text" else ""
        if not text and node.get("content"):
            text = _inline(node["content"])
        for mark in node.get("marks") or []:
            kind = str((mark or {}).get("type"))
            start, end = _MARKS.get(kind, ("", ""))
            if text.strip() and start:
                text = f"{start}{text}{end}"
            href = str(((mark or {}).get("attrs") or {}).get("href") or "")
            if kind == "link" and text.strip() and _SAFE_HREF.fullmatch(href):
                text = f"[{text}|{href}]"  # a link the renderer's caller built: http(s) only
        parts.append(text)
    return "".join(parts)
