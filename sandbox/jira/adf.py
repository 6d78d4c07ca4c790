"""Atlassian Document Format: what Jira v3 speaks where v2 speaks plain text."""

from __future__ import annotations

from typing import Any


def text_to_adf(text: str | None) -> dict[str, Any] | None:
    """A doc with one paragraph per line; ``None`` stays ``None`` (an empty field)."""
    if text is None:
        return None
    paragraphs = []
    for line in text.split("\n"):
        content = [{"type": "text", "text": line}] if line else []
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def adf_to_text(node: Any) -> str:
    """The plain text of an ADF tree; block nodes end a line."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    inner = "".join(adf_to_text(child) for child in node.get("content", []))
    if node.get("type") in {"paragraph", "heading", "listItem", "codeBlock", "blockquote"}:
        return inner + "\n"
    return inner


def is_adf_doc(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
    )


def body_text(value: Any, api_version: str, where: str) -> str:
    """The text of a body sent to v2 (a string) or v3 (an ADF doc); anything else is refused."""
    if api_version == "3":
        if not is_adf_doc(value):
            raise ValueError(f"{where}: Operation value must be an Atlassian Document (ADF) in v3")
        return adf_to_text(value).rstrip("\n")
    if not isinstance(value, str):
        raise ValueError(f"{where}: Operation value must be a string in v2")
    return value


def render_text(text: str | None, api_version: str) -> Any:
    """A stored plain-text value as the given API version shows it."""
    return text_to_adf(text) if api_version == "3" else text
