"""What every `pmo` command shares: the `--config` option and the exit codes.

Exit codes (scripts rely on them): 0 done (for `gate`/`closeout`: the decision was Go or Go
with conditions); 1 done, but the decision was Hold or Recycle; 2 bad usage or
configuration; 3 a source, target or the run itself failed.
"""

from __future__ import annotations

from typing import Annotated

import typer

EXIT_OK, EXIT_FINDINGS, EXIT_CONFIG, EXIT_FAILED = 0, 1, 2, 3

ConfigOption = Annotated[
    str | None,
    typer.Option("--config", "-c", help="Settings file (default: $PMO_CONFIG or config/pmo.yaml)."),
]
