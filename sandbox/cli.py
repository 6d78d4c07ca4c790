"""``pmo sandbox …``: serve a tenant (this module), or generate one (`sandbox.generator_cli`).

Mounted by the main CLI (``app.add_typer(sandbox.cli.app, name="sandbox")``) and runnable on
its own as ``python -m sandbox``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sandbox.generator_cli import generate

app = typer.Typer(help="The local Jira Cloud + Microsoft Graph sandbox.", no_args_is_help=True)


@app.command()
def serve(
    tenant: Annotated[Path, typer.Option(help="Tenant JSON file (see docs/tenant-format.md).")],
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 picks a free one.")] = 0,
    info: Annotated[
        Path | None, typer.Option(help="Also write the connection info JSON here.")
    ] = None,
    faults: Annotated[
        Path | None, typer.Option(help="JSON file with fault rules to start with.")
    ] = None,
) -> None:
    """Serve a tenant until interrupted; prints one JSON object with URLs and credentials."""
    from sandbox.faults import FaultConfigError
    from sandbox.server import SandboxServer
    from sandbox.state import SandboxState
    from sandbox.tenant import (  # numpy: loaded when serving, not for --help
        TenantError,
        load_tenant,
    )

    try:
        doc = load_tenant(tenant)
        rules = _load_faults(faults) if faults else []
        server = SandboxServer(SandboxState(doc), port=port, faults=rules)
    except (TenantError, FaultConfigError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    text = json.dumps(server.info.as_dict())
    if info:
        info.write_text(text + "\n", encoding="utf-8")
    typer.echo(text)
    sys.stdout.flush()
    server.serve_forever()


def _load_faults(path: Path) -> list:
    from sandbox.faults import FaultConfigError, rule_from_dict

    raw = json.loads(path.read_text(encoding="utf-8"))
    rules = raw.get("rules", raw) if isinstance(raw, dict) else raw
    if not isinstance(rules, list):
        raise FaultConfigError(f"{path}: expected a list of rules or {{'rules': [...]}}")
    return [rule_from_dict(r, f"{path}: rules[{i}]") for i, r in enumerate(rules)]


# `pmo sandbox generate` is the tenant generator's command (sandbox.gen, sandbox.generator_cli).
app.command("generate")(generate)


if __name__ == "__main__":
    app()
