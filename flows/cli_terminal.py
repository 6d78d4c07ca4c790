"""What the `pmo` CLI shows of log records on the terminal, with or without Prefect.

Quiet (the default): warnings and errors only; no tracebacks (the CLI prints one line per
failure, and `PMO_DEBUG=1` brings tracebacks back); a flow or task run's error records are
left to that line. `--verbose` (``PMO_VERBOSE=1``) shows everything. Every line is redacted.

Under Prefect the rules ride on Prefect's console handler (`flows.cli_logging`); an
in-process run that never loads Prefect (`flows.orchestration.run_for_cli`) gets
`PlainTerminalHandler`, the same rules in Prefect's line format.
"""

from __future__ import annotations

import copy
import logging
import os
import sys

from config.redact import redact

VERBOSE_ENV = "PMO_VERBOSE"
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")
LINE_FORMAT = "%(asctime)s.%(msecs)03d | %(levelname)-7s | %(name)s - %(message)s"


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


class PlainTerminalHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """The terminal of an in-process run: `shown`'s rules, Prefect's line format."""

    def __init__(self, stream: object = None) -> None:
        super().__init__(stream or sys.stderr)  # type: ignore[arg-type,unused-ignore]
        self.setFormatter(logging.Formatter(LINE_FORMAT, "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        visible = shown(record)
        if visible is not None:
            super().emit(visible)


def install_plain_terminal() -> None:
    """Give the root logger the plain terminal handler, unless Prefect (which configures
    its own, `flows.cli_logging.TerminalHandler`) is loaded or it is there already."""
    root = logging.getLogger()
    if "prefect" in sys.modules or any(isinstance(h, PlainTerminalHandler) for h in root.handlers):
        return
    root.addHandler(PlainTerminalHandler())
