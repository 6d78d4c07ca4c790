"""Who runs the pipeline: Prefect when a Prefect server is configured, else this process.

The flows and their tasks are written once. Each task is declared with `flows.orchestration.task`
instead of `prefect.task`: called inside a Prefect flow run it *is* a Prefect task (its run,
retries, logs and artifacts go to Prefect exactly as before); called while `direct()` is
active it is a plain function call, with the same retries, in this process.

The CLI (`pmo sync`, `pmo gate`, `pmo closeout`, `pmo status`) picks with `run_for_cli`:
- ``PREFECT_API_URL`` set (environment or the active Prefect profile): the flow runs through
  Prefect, which stays the orchestrator of record;
- otherwise: the flow's own function (`flow.fn`) runs under `direct()`. Prefect would
  otherwise start its temporary server for every command (seconds of CPU and ~500 MiB for
  a command that has nothing to do). Nothing is recorded in Prefect then, as there is none.
`pmo demo`, deployments and workers always run through Prefect.

This module imports no Prefect: a task becomes a Prefect task only the first time it runs
under Prefect. Flows are declared with `flows.orchestration.flow` for the same reason: an
in-process CLI run (`pmo sync` with nothing new, `pmo gate`) then never imports Prefect
(~1 s of CPU and ~40 MiB), while a deployment's entrypoint is still a Prefect flow.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from functools import cached_property, update_wrapper
from pathlib import Path
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, overload

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
_DIRECT: ContextVar[bool] = ContextVar("pmo_direct_run", default=False)


def is_direct() -> bool:
    """True while a pipeline runs in this process without Prefect (`direct()`)."""
    return _DIRECT.get()


@contextmanager
def direct() -> Iterator[None]:
    """Run tasks and nested flows started inside this block as plain calls."""
    token = _DIRECT.set(True)
    try:
        yield
    finally:
        _DIRECT.reset(token)


def prefect_server_configured() -> bool:
    """Is a Prefect API configured, in the environment or in the active Prefect profile?

    Read without importing Prefect (its import alone costs a second)."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    try:
        data = tomllib.loads(profiles.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    return bool((data.get("profiles") or {}).get(active, {}).get("PREFECT_API_URL"))


def run_flow(flow: PipelineFlow[P, R], *args: P.args, **parameters: P.kwargs) -> R:
    """Call a flow from inside a pipeline: a subflow under Prefect, a plain call in `direct()`."""
    if is_direct():
        return flow.fn(*args, **parameters)
    return flow(*args, **parameters)


def run_for_cli(flow: PipelineFlow[P, R], *args: P.args, **parameters: P.kwargs) -> R:
    """The CLI's way to run a flow: through Prefect when a server is configured, else in
    this process without starting Prefect's temporary server."""
    if prefect_server_configured():
        return flow(*args, **parameters)
    from flows.cli_terminal import install_plain_terminal

    install_plain_terminal()  # Prefect, not loaded, configures no terminal
    with direct():
        return flow.fn(*args, **parameters)


class _Failed:
    """Enough of a Prefect state for a task's `retry_condition_fn` (it calls `.result()`)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def result(self, *_args: Any, **_kwargs: Any) -> Any:
        raise self.error


class Task(Generic[P, R]):
    """A pipeline step: a Prefect task under Prefect, a plain call with retries in `direct()`.
    Typed as the function it wraps: mypy checks every call of a task like a call of `fn`."""

    def __init__(self, fn: Callable[P, R], options: dict[str, Any]) -> None:
        self.fn = fn
        self.options = options
        update_wrapper(self, fn)

    @cached_property
    def prefect(self) -> Any:
        """The Prefect task (built, and Prefect imported, on first use). Our tasks do I/O or
        take unhashable runtimes: nothing is cached unless a task asks for it."""
        from prefect import task
        from prefect.cache_policies import NO_CACHE

        return task(**{"cache_policy": NO_CACHE, **self.options})(self.fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if not is_direct():
            result: R = self.prefect(*args, **kwargs)  # inside a flow run: the task's result
            return result
        retries = self.options.get("retries", 0) or 0
        condition = self.options.get("retry_condition_fn")
        for attempt in range(retries + 1):
            try:
                return self.fn(*args, **kwargs)
            except Exception as exc:
                if attempt == retries or (condition and not condition(self, None, _Failed(exc))):
                    raise
                time.sleep(self.options.get("retry_delay_seconds", 0) or 0)
        raise AssertionError("unreachable")


@overload
def task(fn: Callable[P, R], /) -> Task[P, R]: ...


@overload
def task(fn: None = None, /, **options: Any) -> _TaskDecorator: ...


def task(fn: Callable[P, R] | None = None, /, **options: Any) -> Task[P, R] | _TaskDecorator:
    """`@task` or `@task(name=..., retries=..., ...)`, with `prefect.task`'s options."""
    if fn is not None:
        return Task(fn, options)
    return _TaskDecorator(options)


class _TaskDecorator:
    """`task(**options)`: the decorator that makes a `Task` of a function."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    def __call__(self, fn: Callable[P, R]) -> Task[P, R]:
        return Task(fn, self.options)


class PipelineFlow(Protocol[P, R_co]):
    """What `flow` makes: a `Flow` or a `prefect.Flow`, called like its function, which is
    `.fn` (`run_flow` and `run_for_cli` call it in `direct()`)."""

    @property
    def fn(self) -> Callable[P, R_co]: ...

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


class Flow(Generic[P, R]):
    """A pipeline flow whose Prefect flow is built, and Prefect imported, on first use.

    Called in `direct()` it is the plain function; called otherwise it is the Prefect flow
    (a flow run, or a subflow inside one), exactly as `prefect.flow` would have made it.
    """

    def __init__(self, fn: Callable[P, R], options: dict[str, Any]) -> None:
        self.fn = fn
        self.options = options
        self.name = options.get("name") or fn.__name__.replace("_", "-")
        update_wrapper(self, fn)

    @cached_property
    def prefect(self) -> Any:
        from prefect import flow as prefect_flow

        return prefect_flow(**self.options)(self.fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if is_direct():
            return self.fn(*args, **kwargs)
        result: R = self.prefect(*args, **kwargs)  # a flow run's (or subflow's) result
        return result


def flow(**options: Any) -> Callable[[Callable[P, R]], PipelineFlow[P, R]]:
    """`@flow(name=..., ...)` with `prefect.flow`'s options.

    Where Prefect is already loaded when the module is imported (a worker or `prefect
    deploy` loading a deployment's entrypoint, `pmo demo`, the test harness) this *is*
    `prefect.flow`, so every entrypoint in prefect.yaml is a Prefect flow. Elsewhere (the
    CLI, which imports Prefect only when a server is configured) it is a `Flow` that turns
    into the same Prefect flow the first time it runs outside `direct()`.
    """

    def decorate(fn: Callable[P, R]) -> PipelineFlow[P, R]:
        if "prefect" in sys.modules:
            from prefect import flow as prefect_flow

            made: PipelineFlow[P, R] = prefect_flow(**options)(fn)
            return made
        return Flow(fn, options)

    return decorate


class DirectRunner:
    """A task runner for `direct()`: threads, with the interface `flows.evaluation` uses of a
    Prefect task runner (submit a task with parameters; futures passed as parameters are
    resolved first)."""

    def __init__(self, max_workers: int | None = None) -> None:
        self.pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="pmo-task")

    def __enter__(self) -> DirectRunner:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.pool.shutdown(wait=True)

    def submit(self, task_: Task[..., Any], parameters: dict[str, Any]) -> DirectFuture:
        def call() -> Any:
            resolved = {
                k: v.result() if isinstance(v, DirectFuture) else v for k, v in parameters.items()
            }
            return task_(**resolved)

        return DirectFuture(self.pool.submit(copy_context().run, call))


class DirectFuture:
    """A finished-or-running direct task, shaped like the parts of `PrefectFuture` we use."""

    def __init__(self, future: Future[Any]) -> None:
        self.future = future

    def add_done_callback(self, callback: Callable[[DirectFuture], None]) -> None:
        self.future.add_done_callback(lambda _f: callback(self))

    def wait(self, timeout: float | None = None) -> None:
        self.future.exception(timeout)

    def result(self, timeout: float | None = None) -> Any:
        return self.future.result(timeout)

    @property
    def state(self) -> DirectFuture:
        return self

    def is_completed(self) -> bool:
        return self.future.done() and self.future.exception() is None


RunLogger = logging.Logger | logging.LoggerAdapter[Any]


def run_logger() -> RunLogger:
    """The flow run's logger under Prefect; a plain `logging` logger in `direct()`."""
    if is_direct():
        logger = logging.getLogger("pmo.flows")
        # `pmo --verbose` shows the run's INFO lines, as it shows Prefect's run logs; quiet,
        # only warnings reach the terminal (flows.cli_terminal)
        verbose = os.environ.get("PMO_VERBOSE", "") not in ("", "0")
        logger.setLevel(logging.INFO if verbose else logging.NOTSET)
        return logger
    from prefect import get_run_logger

    return get_run_logger()
