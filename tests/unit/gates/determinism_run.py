"""One whole portfolio evaluation printed as JSON, for `test_determinism.py` to run under
several PYTHONHASHSEEDs and input row orders (argv[1]: the row-order seed, 0 = as built)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import numpy as np

from checks.evaluation.evaluate import evaluate_portfolio
from checks.quality import QualityContext
from config.lifecycle import load_rules
from config.settings import Settings
from sandbox.synthetic_frames import synthetic_portfolio

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def frames(order_seed: int) -> dict:
    built = synthetic_portfolio(3, 40, 3, 5, AS_OF)
    # equal estimates: every chain of the same length ties for the critical path
    built["tasks"]["estimate_hours"] = built["tasks"]["estimate_hours"].where(
        built["tasks"]["estimate_hours"].isna(), 8.0
    )
    # one project without a phase: its phase is inferred
    projects = built["projects"].copy()
    projects.loc[projects.index[0], "phase"] = None
    built["projects"] = projects
    if order_seed:
        rng = np.random.default_rng(order_seed)
        built = {
            name: frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
            for name, frame in built.items()
        }
    return built


def main() -> None:
    settings = Settings(checks={"forecast_trials": 300})
    data = frames(int(sys.argv[1]))
    evaluations = evaluate_portfolio(
        data,
        settings,
        load_rules(settings),
        AS_OF,
        quality_context=QualityContext(as_of=AS_OF, previous_counts={}),
        default_as_of=True,
    )
    sys.stdout.write(json.dumps([e.to_dict() for e in evaluations], sort_keys=True))


if __name__ == "__main__":
    main()
