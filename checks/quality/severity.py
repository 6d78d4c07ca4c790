"""Proportionate data quality: how severe a failed rule is depends on how much it taints.

A rule marked critical holds the gate only when its failing rows taint more than a share of
the project's evidence: the share of the project's rows the rule checked, or -- for time
entries -- of the project's hours, whichever is larger. At or below the share the failure is
a **warning** that lists the rows (and, for time entries, the issues they were logged on):
three 30-hour worklogs among 47,000 are outliers to look at, not a reason to distrust every
figure. Rules whose failure always means the evidence can't be trusted (a stale sync, a
census drop beyond its limit) have a share of 0: any failure is critical. An expectation
that could not be evaluated at all stays critical (nothing says how much it taints).

The share per rule: `settings.checks.quality_critical_share` (rule name or glob pattern ->
share 0..1) over `DEFAULT_CRITICAL_SHARE`; the exact name wins, then the longest matching
pattern, then "*". Documented in docs/evaluation.md, "Data quality".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from fnmatch import fnmatchcase

import pandas as pd

from checks.model import QualityResult, Severity

DEFAULT_CRITICAL_SHARE: dict[str, float] = {
    "*": 0.05,  # more than 5 % of a project's rows (or hours) bad: the figures can't stand
    "integrity.*": 0.02,  # hours or tasks pointing nowhere silently leave EVM: stricter
    "freshness.last_sync": 0.0,  # stale evidence is stale, whatever its size
    "census.task_drop": 0.0,  # has its own limit (checks.census_drop_share)
}
MAX_ISSUE_KEYS = 20


def critical_share(expectation: str, overrides: Mapping[str, float] | None = None) -> float:
    """The share above which a failure of `expectation` is critical."""
    table = {**DEFAULT_CRITICAL_SHARE, **(overrides or {})}
    if expectation in table:
        return float(table[expectation])
    patterns = [p for p in table if p != "*" and fnmatchcase(expectation, p)]
    if patterns:
        return float(table[max(patterns, key=lambda p: (len(p), p))])
    return float(table.get("*", 0.0))


def tainted_share(result: QualityResult) -> float | None:
    """What the failure taints: the share its check recorded, else failing / checked rows."""
    if result.tainted_share is not None:
        return result.tainted_share
    if result.failing_count > 0 and result.checked_count > 0:
        return min(result.failing_count / result.checked_count, 1.0)
    return None


def proportionate(
    results: Iterable[QualityResult],
    overrides: Mapping[str, float] | None = None,
    issue_keys: Mapping[str, str] | None = None,
) -> list[QualityResult]:
    """Critical failures that taint no more than their rule's share become warnings, naming
    the issues behind them (`issue_keys`: example key -> issue key, e.g. entry -> ABC-12)."""
    out = []
    for result in results:
        share = tainted_share(result)
        if result.success or result.severity != Severity.CRITICAL or share is None:
            out.append(result)
            continue
        limit = critical_share(result.expectation, overrides)
        if share > limit:
            note = f"; taints {share:.2%} of the project's evidence (critical above {limit:.0%})"
            out.append(replace(result, tainted_share=share, detail=result.detail + note))
            continue
        keys = _issues(result, issue_keys or {})
        note = (
            f"; a warning, not a hold: taints {share:.2%} of the project's evidence "
            f"(critical above {limit:.0%})" + (f"; issues: {', '.join(keys)}" if keys else "")
        )
        out.append(
            replace(
                result, severity=Severity.WARNING, tainted_share=share, detail=result.detail + note
            )
        )
    return out


def _issues(result: QualityResult, issue_keys: Mapping[str, str]) -> list[str]:
    found = [issue_keys[k] for k in result.example_keys if k in issue_keys]
    return list(dict.fromkeys(found))[:MAX_ISSUE_KEYS]


def entry_issue_keys(entries: pd.DataFrame | None, tasks: pd.DataFrame | None) -> dict[str, str]:
    """entry id -> key of the issue it was logged on (for naming outliers)."""
    if entries is None or tasks is None or entries.empty or tasks.empty:
        return {}
    task_key = tasks.drop_duplicates("task_id").set_index("task_id")["key"]
    keyed = entries[["entry_id", "task_id"]].dropna()
    keys = keyed["task_id"].map(task_key)
    return {str(e): str(k) for e, k in zip(keyed["entry_id"], keys, strict=True) if pd.notna(k)}
