"""The risk register: ROAM status, exposure (probability x impact) and register hygiene.

A risk is open unless its ROAM status is resolved or mitigated (owned and accepted risks are
still live exposure). Findings: open risks without owner, without mitigation, with a mitigation
past its due date, and open risks with exposure >= `risk.high_exposure_score` (15 of 25).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import OutputBuilder, as_of_days, days, ids
from config.settings import ChecksSettings

CLOSED_ROAM = frozenset({"resolved", "mitigated"})


def exposure(risks: pd.DataFrame) -> np.ndarray:
    probability = risks["probability"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    impact = risks["impact"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return probability * impact


def check_register(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    risks = frames.risks
    status = risks["roam_status"].astype(str).str.lower().to_numpy()
    is_open = ~np.isin(status, list(CLOSED_ROAM))
    score = exposure(risks)
    out.metric("risk.open", float(is_open.sum()), ids(risks, is_open, "risk_id"))
    unowned = is_open & risks["owner_id"].isna().to_numpy(dtype=bool)
    out.metric("risk.unowned", float(unowned.sum()), ids(risks, unowned, "risk_id"))
    plan = risks["mitigation"].astype(str).str.strip()
    no_plan = is_open & (risks["mitigation"].isna().to_numpy(dtype=bool) | (plan == "").to_numpy())
    out.metric("risk.without_mitigation", float(no_plan.sum()), ids(risks, no_plan, "risk_id"))
    overdue = is_open & (days(risks["mitigation_due"]) < np.floor(as_of_days(frames)))
    out.metric("risk.overdue_mitigations", float(overdue.sum()), ids(risks, overdue, "risk_id"))
    high = is_open & (score >= knob("risk.high_exposure_score", settings.thresholds))
    out.metric("risk.high_exposure_open", float(high.sum()), ids(risks, high, "risk_id"))
    open_scores = score[is_open & ~np.isnan(score)]
    top = float(open_scores.max()) if len(open_scores) else None
    out.metric("risk.max_exposure", top, ids(risks, is_open & (score == top), "risk_id"))
    materialised = risks["materialised"].fillna(False).to_numpy(dtype=bool)
    out.metric("risk.materialised", float(materialised.sum()), ids(risks, materialised, "risk_id"))
    out.out.details["risk_register"] = [
        {
            "risk_id": str(r),
            "roam_status": str(s),
            "score": None if np.isnan(e) else float(e),
            "open": bool(o),
        }
        for r, s, e, o in zip(risks["risk_id"], status, score, is_open, strict=True)
    ]
    return out.out
