"""Path splitting: raw `/` first, then each segment decoded; drive item paths merged back."""

from __future__ import annotations

import pytest

from sandbox.graph.paths import parse_item_reference, split_raw_path

CASES = [
    # kiota encodes the whole item path into one segment
    ("/v1.0/drives/d/items/root%3A%2Freports%2Fr.csv%3A/content",
     ("drives", "d", "items", "root:/reports/r.csv:", "content")),
    # the same path written with raw slashes, as in Graph's docs
    ("/v1.0/drives/d/items/root:/reports/r.csv:/content",
     ("drives", "d", "items", "root:/reports/r.csv:", "content")),
    # `root:/...:` straight after the drive
    ("/v1.0/drives/d/root:/a%20b.txt:/content", ("drives", "d", "items", "root:/a b.txt:", "content")),
    # a site's default drive, parent by id
    ("/v1.0/sites/s/drive/items/01AB%3A%2Fx.csv%3A/content",
     ("sites", "s", "drive", "items", "01AB:/x.csv:", "content")),
    # `root` alone addresses the root folder
    ("/v1.0/drives/d/root/children", ("drives", "d", "items", "root", "children")),
    # channel ids keep their colon and @, and are not merged
    ("/v1.0/teams/t/channels/19%3Aabc%40thread.tacv2/messages",
     ("teams", "t", "channels", "19:abc@thread.tacv2", "messages")),
    # a site id with encoded commas stays one segment
    ("/v1.0/sites/contoso.sharepoint.com%2Cg1%2Cg2/lists/L1/items",
     ("sites", "contoso.sharepoint.com,g1,g2", "lists", "L1", "items")),
    # an encoded slash inside an id is data, not a separator
    ("/v1.0/users/a%2Fb/sendMail", ("users", "a/b", "sendMail")),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_segments_are_decoded_one_by_one(raw: str, expected: tuple[str, ...]) -> None:
    assert split_raw_path(raw)[0] == expected


def test_encoded_remainder_is_kept_for_next_links() -> None:
    assert split_raw_path("/v1.0/sites/a%2Cb/lists/L/items?x=1")[1] == "sites/a%2Cb/lists/L/items"


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("root:/reports/r.csv:", ("root", "reports/r.csv")),  # path below the root
        ("01AB:/x.csv:", ("01AB", "x.csv")),  # path below a folder given by id
        ("01AB", ("01AB", None)),  # a plain id
        ("root:", ("root", None)),  # the root itself
    ],
)
def test_item_references(reference: str, expected: tuple[str, str | None]) -> None:
    assert parse_item_reference(reference) == expected
