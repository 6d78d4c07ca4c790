"""`pmo sandbox generate`: write a generated tenant and its manifest of planted problems."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer


def manifest_path(out: Path) -> Path:
    """``<FILE>.manifest.json`` next to the tenant (``demo.json`` -> ``demo.manifest.json``)."""
    return out.with_name(out.name.removesuffix(".json") + ".manifest.json")


def generate(
    out: Annotated[Path, typer.Option("--out", help="Where to write the tenant JSON.")],
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same tenant.")
    ] = 7,
    scale: Annotated[
        str, typer.Option(help="'demo' (portfolio with planted problems) or a number of issues.")
    ] = "demo",
    clean: Annotated[
        bool, typer.Option("--clean", help="Demo without any planted problem.")
    ] = False,
    now: Annotated[
        str | None, typer.Option(help="The tenant's clock, ISO 8601 with offset.")
    ] = None,
    worklogs: Annotated[
        int | None, typer.Option(help="Scale mode: number of worklogs (default 10 per issue).")
    ] = None,
) -> None:
    """Write a tenant (plus a .bulk.npz sidecar at scale) and <FILE>.manifest.json."""
    from sandbox.gen.api import generate_tenant
    from sandbox.tenant import save_tenant  # numpy: loaded when generating, not for --help

    try:
        moment = datetime.fromisoformat(now) if now else None
        if moment is not None and moment.tzinfo is None:
            raise ValueError("it has no UTC offset")
    except ValueError as exc:
        typer.echo(f"error: --now {now!r} is not an ISO 8601 instant: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        tenant, manifest = generate_tenant(seed, scale, clean=clean, now=moment, worklogs=worklogs)
    except ValueError as exc:
        typer.echo(f"error: --scale: {exc}", err=True)
        raise typer.Exit(2) from None
    save_tenant(tenant, out)
    side = manifest_path(out)
    side.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = {
        "tenant": str(out),
        "manifest": str(side),
        "issues": len(tenant["jira"]["issues"]) + _bulk_count(tenant, "issue_id"),
        "worklogs": len(tenant["jira"]["worklogs"]) + _bulk_count(tenant, "wl_id"),
        "problems": len(manifest["problems"]),
    }
    typer.echo(json.dumps(summary))


def _bulk_count(tenant: dict, name: str) -> int:
    bulk = tenant.get("bulk") or {}
    arrays = bulk.get("arrays") or {}
    return len(arrays[name]) if name in arrays else 0


app = typer.Typer(help="Sandbox tenant generator.")
app.command("generate")(generate)

if __name__ == "__main__":
    app()
