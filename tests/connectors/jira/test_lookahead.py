"""The page look-ahead: the next page is fetched once, while the current one is stored."""

from __future__ import annotations

import threading
import time

import pytest

from connectors.jira.reader import Lookahead


def test_a_page_fetched_ahead_is_used_instead_of_fetching_again() -> None:
    calls: list[str] = []
    fetched = threading.Event()

    def fetch(page: str) -> str:
        calls.append(page)
        fetched.set()
        return f"body of {page}"

    lookahead = Lookahead()
    assert lookahead.get("p1", lambda: fetch("p1")) == "body of p1"
    lookahead.ahead("p2", lambda: fetch("p2"))
    lookahead.ahead("p2", lambda: fetch("p2"))  # asked twice: still fetched once
    assert fetched.wait(10)
    assert lookahead.get("p2", lambda: fetch("p2 again")) == "body of p2"
    assert lookahead.get("p2", lambda: fetch("p2 again")) == "body of p2 again"  # not kept
    lookahead.close()
    assert calls == ["p1", "p2", "p2 again"]


def test_an_error_of_a_page_fetched_ahead_is_raised_when_that_page_is_asked_for() -> None:
    class PageError(Exception):
        pass

    def fail() -> str:
        raise PageError("503 after retries")

    lookahead = Lookahead()
    lookahead.ahead("p2", fail)
    with pytest.raises(PageError, match="503 after retries"):
        lookahead.get("p2", lambda: "never used")
    lookahead.close()


def test_close_drops_pages_nobody_asked_for() -> None:
    running, release = threading.Event(), threading.Event()
    started: list[str] = []

    def slow(page: str) -> str:
        started.append(page)
        running.set()
        release.wait(10)
        return page

    lookahead = Lookahead()
    lookahead.ahead("p2", lambda: slow("p2"))
    lookahead.ahead("p3", lambda: slow("p3"))  # queued behind p2 (one fetch at a time)
    assert running.wait(10)
    closing = threading.Thread(target=lookahead.close)
    closing.start()  # cancels p3 at once, then waits for p2
    deadline = time.monotonic() + 10
    while lookahead._pending and time.monotonic() < deadline:  # emptied once p3 is cancelled
        time.sleep(0.01)
    release.set()
    closing.join(10)
    assert not closing.is_alive()
    assert started == ["p2"]
    assert lookahead.get("p2", lambda: "fetched again") == "fetched again"
