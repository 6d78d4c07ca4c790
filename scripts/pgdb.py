"""Create, drop or ping a PostgreSQL database for a test run (used by scripts/test.sh)."""

from __future__ import annotations

import argparse
import sys

import psycopg
from psycopg import sql


def _connect(args: argparse.Namespace) -> psycopg.Connection:
    return psycopg.connect(
        host=args.host,
        port=args.port,
        user=args.user,
        dbname="postgres",
        autocommit=True,
        connect_timeout=3,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["ping", "create", "drop"])
    parser.add_argument("name", nargs="?")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    args = parser.parse_args()
    try:
        with _connect(args) as conn:
            if args.action == "create":
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.name)))
            elif args.action == "drop":
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(args.name)
                    )
                )
    except psycopg.OperationalError as exc:
        if args.action != "ping":
            print(f"pgdb {args.action} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
