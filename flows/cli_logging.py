"""The terminal handler the `pmo` CLI gives Prefect's console logging.

An interactive command shows progress and results, not Prefect's task-run INFO lines, the
temporary server's banner or a library's temp-dir notes. The CLI names this class as
Prefect's console handler (``PREFECT_LOGGING_HANDLERS_CONSOLE_CLASS``), so only the terminal
gets quieter: Prefect's API handler still receives every record, and runs, logs and
artifacts still appear in Prefect when a server is configured.

Quiet (the default): warnings and errors only; no tracebacks (the CLI prints one line per
failure, and `PMO_DEBUG=1` brings tracebacks back); a flow or task run's error records are
left to that line. `--verbose` (``PMO_VERBOSE=1``) shows everything. Every line is redacted
(the rules: `flows.cli_terminal`, which also serves in-process runs that never load Prefect).
"""

from __future__ import annotations

import logging

from prefect.logging.handlers import PrefectConsoleHandler

from flows.cli_terminal import RUN_LOGGERS, VERBOSE_ENV, shown, verbose

__all__ = ["RUN_LOGGERS", "VERBOSE_ENV", "TerminalHandler", "shown", "verbose"]


class TerminalHandler(PrefectConsoleHandler):
    """Prefect's console handler with the CLI's quiet rules applied first."""

    def emit(self, record: logging.LogRecord) -> None:
        visible = shown(record)
        if visible is not None:
            super().emit(visible)
