"""The terminal handler the `pmo` CLI gives Prefect's console logging.

An interactive command shows progress and results, not Prefect's task-run INFO lines, the
temporary server's banner or a library's temp-dir notes. The CLI names this class as
Prefect's console handler (``PREFECT_LOGGING_HANDLERS_CONSOLE_CLASS``), so only the terminal
gets quieter: Prefect's API handler still receives every record, and runs, logs and
artifacts still appear in Prefect when a server is configured.

Quiet (the default): warnings and errors only; no tracebacks (the CLI prints one line per
failure, and `PMO_DEBUG=1` brings tracebacks back); a flow or task run's error records are
left to that line. `--verbose` (``PMO_VERBOSE=1``) shows everything. Every line is redacted.
"""

from __future__ import annotations

import copy
import logging
import os

from prefect.logging.handlers import PrefectConsoleHandler

from config.redact import redact

VERBOSE_ENV = "PMO_VERBOSE"
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0")


def shown(record: logging.LogRecord) -> logging.LogRecord | None:
    """The record as the terminal shows it, or None when quiet mode drops it."""
    if not verbose():
        if record.levelno < logging.WARNING:
            return None
        if record.levelno >= logging.ERROR and record.name.startswith(RUN_LOGGERS):
            return None  # the CLI reports the failure itself, in one line with a hint
    record = copy.copy(record)
    if record.exc_info and not os.environ.get("PMO_DEBUG") and not verbose():
        record.exc_info, record.exc_text, record.stack_info = None, None, None
    message = record.getMessage()
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    return record


class TerminalHandler(PrefectConsoleHandler):
    """Prefect's console handler with the CLI's quiet rules applied first."""

    def emit(self, record: logging.LogRecord) -> None:
        visible = shown(record)
        if visible is not None:
            super().emit(visible)
