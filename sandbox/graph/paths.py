"""Path handling as Graph clients need it.

kiota percent-encodes whole path parameters (`root%3A%2Freports%2Fr.csv%3A`), so the path must be
split on raw `/` first and each segment decoded on its own; decoding first would turn an item
path into extra segments. Drive items can also be addressed as `root:/a/b:` or
`items/{parent}:/a/b:` written with raw slashes; those are merged back into one segment.
"""

from __future__ import annotations

from urllib.parse import unquote

API_ROOT = "v1.0"


def split_raw_path(raw_path: str) -> tuple[tuple[str, ...], str]:
    """Decoded segments below `/v1.0/` and the still-encoded remainder (for next links)."""
    raw_segments = [s for s in raw_path.split("?", 1)[0].split("/") if s]
    if API_ROOT in raw_segments:
        raw_segments = raw_segments[raw_segments.index(API_ROOT) + 1 :]
    decoded = tuple(unquote(segment) for segment in raw_segments)
    return merge_drive_item_paths(decoded), "/".join(raw_segments)


def _drive_prefix_length(segments: tuple[str, ...]) -> int:
    """How many segments address a drive (`drives/{d}` or `sites/{s}/drive`); 0 if none."""
    if len(segments) >= 2 and segments[0] == "drives":
        return 2
    if len(segments) >= 3 and segments[0] == "sites" and segments[2] == "drive":
        return 3
    return 0


def merge_drive_item_paths(segments: tuple[str, ...]) -> tuple[str, ...]:
    """Rewrite `root:/a/b:` and `items/{p}:/a/b:` (one segment or several) to `items/{p}:/a/b:`."""
    start = _drive_prefix_length(segments)
    if not start or start >= len(segments):
        return segments
    head, rest = list(segments[:start]), list(segments[start:])
    if rest[0] == "root":
        return (*head, "items", "root", *rest[1:])
    if rest[0].startswith("root:"):
        ref, tail = _join_colon_path(rest)
        return (*head, "items", ref, *tail)
    if rest[0] == "items" and len(rest) > 1 and ":" in rest[1]:
        ref, tail = _join_colon_path(rest[1:])
        return (*head, "items", ref, *tail)
    return segments


def _join_colon_path(parts: list[str]) -> tuple[str, list[str]]:
    """Join `parent:` + path segments up to the one that ends with `:`."""
    first = parts[0]
    after_colon = first.split(":", 1)[1]
    if after_colon.endswith(":"):
        return first, parts[1:]
    for end in range(1, len(parts)):
        if parts[end].endswith(":"):
            return "/".join(parts[: end + 1]), parts[end + 1 :]
    return "/".join(parts), []


def parse_item_reference(reference: str) -> tuple[str, str | None]:
    """`root:/reports/r.csv:` -> ("root", "reports/r.csv"); a plain id -> (id, None)."""
    if ":" not in reference:
        return reference, None
    parent, path = reference.split(":", 1)
    path = path.rstrip(":").strip("/")
    return parent, path or None
