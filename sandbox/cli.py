"""``pmo sandbox …``: serve a tenant, or generate one.

Mounted by the main CLI (``app.add_typer(sandbox.cli.app, name="sandbox")``) and runnable on
its own as ``python -m sandbox``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sandbox.faults import FaultConfigError, rule_from_dict
from sandbox.tenant import TenantError, load_tenant

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
    from sandbox.server import SandboxServer
    from sandbox.state import SandboxState

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
    raw = json.loads(path.read_text(encoding="utf-8"))
    rules = raw.get("rules", raw) if isinstance(raw, dict) else raw
    if not isinstance(rules, list):
        raise FaultConfigError(f"{path}: expected a list of rules or {{'rules': [...]}}")
    return [rule_from_dict(r, f"{path}: rules[{i}]") for i, r in enumerate(rules)]


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Where to write the tenant JSON.")],
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same tenant.")
    ] = 7,
    scale: Annotated[
        str, typer.Option(help="'demo', or a number of issues for a scale tenant.")
    ] = "demo",
    worklogs: Annotated[
        int, typer.Option(help="Scale mode: number of worklogs (default 10 per issue).")
    ] = 0,
) -> None:
    """Write a tenant (and, for the demo, ``<tenant>.manifest.json`` of planted problems)."""
    if scale == "demo":
        from sandbox.generator.demo import generate_demo

        doc, manifest = generate_demo(seed)
        out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        manifest_path = out.with_name(out.name.removesuffix(".json") + ".manifest.json")
        manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        typer.echo(
            json.dumps(
                {
                    "tenant": str(out),
                    "manifest": str(manifest_path),
                    "issues": len(doc["jira"]["issues"]),
                    "problems": len(manifest["problems"]),
                }
            )
        )
        return
    if not scale.isdigit() or int(scale) < 1:
        typer.echo(
            f"error: --scale must be 'demo' or a positive number of issues, got {scale!r}", err=True
        )
        raise typer.Exit(2)
    from sandbox.generator.scale import write_scale_tenant

    summary = write_scale_tenant(
        out, seed=seed, issues=int(scale), worklogs=worklogs or int(scale) * 10
    )
    typer.echo(json.dumps(summary))


if __name__ == "__main__":
    app()
