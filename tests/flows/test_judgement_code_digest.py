"""The judgement record and the stored suite results hold only while the code that judges
is the code they were made by (issue 14 pt 11): every package of this project that a judging
`pmo sync` loads is in the code digest (`flows.judgement_record.config_digest`), so an
upgrade of any of them judges again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.runtime import demo_tenant
from tests.flows.test_sync_nothing_changed import run_probe

pytestmark = [pytest.mark.xdist_group("prefect"), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]

# `pmo sync` that judges, then the project's own packages it loaded (their files under ROOT).
PROBE = """
import json, sys
from pathlib import Path
from flows.nightly_sync import nightly_sync
from flows.orchestration import run_for_cli
run_for_cli(nightly_sync, config_path=sys.argv[1])
root = Path(sys.argv[-1]).resolve()
loaded = set()
for name, module in list(sys.modules.items()):
    path = getattr(module, "__file__", None)
    if path and Path(path).resolve().is_relative_to(root) and ".venv" not in Path(path).parts:
        loaded.add(name.split(".")[0])
print(json.dumps({"packages": sorted(loaded)}))
"""


def test_every_package_a_judging_sync_loads_is_in_the_code_digest(tmp_path: Path) -> None:
    from flows.judgement_record import CODE_PACKAGES
    from sandbox.server import start_sandbox
    from tests.reliability.test_nothing_new import joining_config

    tenant = demo_tenant(7)
    with start_sandbox(json.loads(json.dumps(tenant))) as server:  # Jira and M365 stand-ins
        config = joining_config(tmp_path, server, tenant)
        loaded = run_probe(PROBE.replace("sys.argv[-1]", repr(str(ROOT))), str(config), None,
                           tmp_path)["packages"]  # fmt: skip
    assert {"checks", "flows"} <= set(loaded)
    assert set(loaded) - {"sandbox"} <= set(CODE_PACKAGES), "judging code outside the digest"
