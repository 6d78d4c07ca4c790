"""Keep secrets out of logs, exceptions, reports and artifacts.

Every secret the project resolves (`SecretRef.resolve`) or is handed (the sandbox's
credentials) is registered here; `redact(text)` replaces each registered value, and a logging
filter applies it to every record, so a URL with a signature or a token that ends up in an
error message is printed as ``***``.
"""

from __future__ import annotations

import logging
import threading

_LOCK = threading.Lock()
_SECRETS: set[str] = set()
MASK = "***"
_MIN_LENGTH = 6  # shorter values would mask ordinary words


def register_secret(value: str | None) -> None:
    if value and len(value) >= _MIN_LENGTH:
        with _LOCK:
            _SECRETS.add(value)


def redact(text: object) -> str:
    out = str(text)
    with _LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)  # longest first: a URL before its token
    for secret in secrets:
        if secret in out:
            out = out.replace(secret, MASK)
    return out


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_log_redaction() -> None:
    """Attach the filter to every handler of the root and Prefect loggers (idempotent)."""
    for logger in (logging.getLogger(), logging.getLogger("prefect")):
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
