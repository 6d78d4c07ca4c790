"""What the core tests expect, read from the served tenant document (never hard-coded), so
they hold for whatever demo portfolio the product generator makes."""

from __future__ import annotations

from typing import Any


def project_keys(doc: dict[str, Any]) -> list[str]:
    return [p["key"] for p in doc["jira"]["projects"]]


def all_projects_jql(doc: dict[str, Any]) -> str:
    """A bounded JQL that matches every issue of the tenant."""
    return f"project in ({', '.join(project_keys(doc))})"


def issues_in(doc: dict[str, Any], project: str) -> list[dict[str, Any]]:
    return [i for i in doc["jira"]["issues"] if i["key"].startswith(f"{project}-")]


def version_names(doc: dict[str, Any], project: str) -> list[str]:
    (project_id,) = (p["id"] for p in doc["jira"]["projects"] if p["key"] == project)
    return [v["name"] for v in doc["jira"]["versions"] if str(v["projectId"]) == project_id]


def smallest_project(doc: dict[str, Any], at_least: int) -> str:
    """The project with the fewest issues among those with `at_least` (several pages, few
    requests)."""
    sizes = {key: len(issues_in(doc, key)) for key in project_keys(doc)}
    return min((n, key) for key, n in sizes.items() if n >= at_least)[1]


def issues_with_history(doc: dict[str, Any], count: int, minimum: int = 2) -> list[str]:
    """`count` issue keys from different projects, each with `minimum` changelog entries."""
    keys: dict[str, str] = {}
    for issue in doc["jira"]["issues"]:
        project = issue["key"].split("-")[0]
        if project not in keys and len(issue["changelog"]) >= minimum:
            keys[project] = issue["key"]
    if len(keys) < count:
        raise AssertionError(f"the tenant has {len(keys)} projects with such issues, not {count}")
    return list(keys.values())[:count]
