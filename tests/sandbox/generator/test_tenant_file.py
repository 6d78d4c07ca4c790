"""Loading and validating tenant documents: clear errors naming the file and the key."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.tenant import TenantError, load_tenant, save_tenant, validate_tenant

Doc = dict[str, Any]


def _write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # the format marker names what the file must be
        (lambda d: d.update(format="something-else"), "'format' must be 'pmo-sandbox-tenant'"),
        # a future version is refused, naming the version this sandbox reads
        (lambda d: d.update(version=2), "'version' 2 is not supported"),
        # a missing top-level key is named
        (lambda d: d.pop("people"), "missing key 'people'"),
        # credentials must be strings, named by their path
        (lambda d: d["credentials"]["graph"].update(token=None), "credentials.graph.token"),
        # an issue without a key is named by its position
        (lambda d: d["jira"]["issues"][0].pop("key"), "jira.issues[0] has no 'key'"),
        # a bulk sidecar that is not there is named
        (lambda d: d.update(bulk={"file": "gone.bulk.npz"}), "gone.bulk.npz"),
    ],
)  # fmt: skip
def test_load_tenant_names_the_file_and_the_key(
    tmp_path: Path, demo7: tuple[Doc, Doc], change: Callable[[Doc], Any], expected: str
) -> None:
    doc = copy.deepcopy(demo7[0])
    change(doc)
    path = _write(tmp_path / "t.json", doc)
    with pytest.raises(TenantError) as caught:
        load_tenant(path)
    assert expected in str(caught.value)
    assert "gone.bulk.npz" in expected or str(path) in str(caught.value)


def test_load_tenant_missing_file_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(TenantError, match="does not exist"):
        load_tenant(tmp_path / "nope.json")
    with pytest.raises(TenantError, match="is not JSON"):
        load_tenant(_write(tmp_path / "bad.json", "{not json"))


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        # an issue pointing at a project that does not exist
        (lambda d: d["jira"]["issues"][0]["fields"]["project"].update(id="99999"),
         "fields.project 99999 is no project"),
        # a worklog on an issue that does not exist
        (lambda d: d["jira"]["worklogs"][0].update(issueId="1"), "issueId 1 is no issue"),
        # an assignee nobody knows
        (lambda d: next(i for i in d["jira"]["issues"] if i["fields"]["assignee"])["fields"]
         ["assignee"].update(accountId="ghost"), "fields.assignee is not a known person"),
        # a link recorded on one side only
        (lambda d: next(i for i in d["jira"]["issues"] if i["fields"]["issuelinks"])["fields"]
         ["issuelinks"][0].update(id="1"), "is missing on"),
        # a Planner task in a bucket of no plan
        (lambda d: d["graph"]["tasks"][0].update(bucketId="nowhere"), "bucketId is no bucket"),
        # a time card of an unknown user
        (lambda d: next(iter(d["graph"]["time_cards"].values()))[0].update(userId="x"),
         "userId is no user"),
        # a timesheet row of an unknown address
        (lambda d: d["graph"]["sites"][0]["lists"][0]["items"][0]["fields"].update(
            Person="who@nowhere"), "Person 'who@nowhere' is no known address"),
        # a deleted worklog that still exists
        (lambda d: d["jira"]["deleted_worklogs"].append(
            {"worklogId": int(d["jira"]["worklogs"][0]["id"]), "updatedTime": 0}),
         "still exists"),
    ],
)  # fmt: skip
def test_validate_tenant_finds_broken_references(
    demo7: tuple[Doc, Doc], break_it: Callable[[Doc], Any], expected: str
) -> None:
    doc = copy.deepcopy(demo7[0])
    break_it(doc)
    problems = validate_tenant(doc)
    assert any(expected in p for p in problems), problems[:5]


def test_save_tenant_refuses_a_document_that_is_not_a_tenant(tmp_path: Path) -> None:
    with pytest.raises(TenantError, match="'format'"):
        save_tenant({"format": "x"}, tmp_path / "t.json")
    assert not (tmp_path / "t.json").exists()
