"""What every `pmo` command shares: the `--config` option and the exit codes.

Exit codes (scripts rely on them): 0 done (for `gate`/`closeout`: the decision was Go or Go
with conditions); 1 done, but the decision was Hold or Recycle; 2 bad usage or
configuration (a bad setting, a missing secret, an unknown project or phase); 3 a source,
target or the run itself failed. `PMO_DEBUG=1` never changes them.

Kept light on purpose: `pmo --help` imports this module, so nothing heavy belongs here.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_FINDINGS, EXIT_CONFIG, EXIT_FAILED = 0, 1, 2, 3

EXIT_CODES_HELP = (
    "Exit codes: 0 done (gate/closeout: Go or Go with conditions) · 1 done, decision Hold or "
    "Recycle · 2 bad usage or configuration (setting, secret, project, phase) · 3 a source, "
    "target or the run failed. PMO_DEBUG=1 adds tracebacks; --verbose shows Prefect's logs."
)

ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        "-c",
        metavar="PATH",
        help="Settings file (default: $PMO_CONFIG or config/pmo.yaml).",
    ),
]


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Judge as of this date (YYYY-MM-DD = end of that day, UTC) or ISO timestamp. "
        "Default: now, or for a project whose work is all done (or in closeout) its finish.",
    ),
]


@cache
def err_console() -> Console:
    """Progress, hints and errors go to stderr, so stdout stays clean for --json."""
    from rich.console import Console

    return Console(stderr=True)


@cache
def out_console() -> Console:
    from rich.console import Console

    return Console()
