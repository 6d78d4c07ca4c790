"""The one renderer for Jira Data Center text: structure kept, every text node inert."""

from __future__ import annotations

import re

import pytest

from connectors.jira.wiki import render_wiki

HOSTILE = ["[click here|http://evil.example/phish]", "[link|javascript:alert(1)]", "{html}<b>"]
LIVE = re.compile(r"(?<!\\)[\[{|]")  # an unescaped link, macro or table cell opener


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_is_escaped(text: str) -> None:
    rendered = render_wiki(f"Follow-up: {text}\nh1. heading?")
    assert not LIVE.search(rendered)
    assert rendered.splitlines()[1] == "h1&#46; heading\\?"  # not a heading: the dot is an entity
    assert "\\[" in rendered or "\\{" in rendered


def test_adf_keeps_structure_and_escapes_text() -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "heading",
                "attrs": {"level": 3},
                "content": [{"type": "text", "text": HOSTILE[0]}],
            },
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Decision: Go", "marks": [{"type": "strong"}]}
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": t}]}
                        ],
                    }
                    for t in HOSTILE
                ],
            },
        ],
    }
    lines = render_wiki(doc).splitlines()
    assert lines[0].startswith("h3. ") and lines[1] == "*Decision: Go*"
    assert [line[:2] for line in lines[2:]] == ["* "] * 3
    assert not any(LIVE.search(line) for line in lines)


def test_adf_links_keep_only_safe_http_targets() -> None:
    def linked(text: str, href: str) -> dict:
        node = {"type": "text", "text": text, "marks": [{"type": "link", "attrs": {"href": href}}]}
        return {"type": "doc", "content": [{"type": "paragraph", "content": [node]}]}

    assert render_wiki(linked("ABC-1", "https://jira.example/browse/ABC-1")) == (
        "[ABC\\-1|https://jira.example/browse/ABC-1]"
    )
    assert render_wiki(linked("click", "javascript:alert(1)")) == "click"
    assert render_wiki(linked("x", "http://a|b]")) == "x"


def test_anything_else_is_refused() -> None:
    with pytest.raises(ValueError, match="ADF document or plain text"):
        render_wiki({"type": "paragraph"})
