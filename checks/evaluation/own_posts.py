"""What the product itself created in the sources, so that it is never judged as project work.

A closeout files one follow-up per lesson: a Jira issue labelled `FOLLOWUP_LABEL` or a
Planner task whose title ends with its publication marker (`[pmo-<12 hex>]`); a Jira target
`create_in` makes an issue (labelled `EVALUATION_LABEL`) to publish evaluations on. The next
sync brings them into `tasks`; counted as project work they would reopen a finished project
("work item left open"), raise findings (and alerts) about themselves, change decisions and
make the product publish again (issue 12). They are the PMO's records, not project scope.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

FOLLOWUP_LABEL = "lessons-learned-followup"
EVALUATION_LABEL = "pmo-evaluation"  # an issue the product created to publish evaluations on
OWN_LABELS = (FOLLOWUP_LABEL, EVALUATION_LABEL)
_PLANNER_MARKER = r"\[pmo-[0-9a-f]{12}\]\s*$"


def _labelled(labels: Any) -> bool:
    if isinstance(labels, list | tuple | np.ndarray):
        return any(label in OWN_LABELS for label in list(labels))
    return False


def product_followups(tasks: pd.DataFrame) -> np.ndarray:
    """A boolean mask of the tasks the product created (follow-ups, evaluation issues)."""
    if tasks.empty:
        return np.zeros(0, dtype=bool)
    labelled = tasks["labels"].map(_labelled).to_numpy(dtype=bool)
    titles = tasks["title"].astype("string")
    marked = (
        titles.str.contains(_PLANNER_MARKER, regex=True, na=False) & (tasks["source"] == "planner")
    ).to_numpy(dtype=bool)
    return labelled | marked
