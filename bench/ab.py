"""An A/B of two trees under `bench/load.py`, alternating: the only comparison that holds on a shared machine, where
the same tree's × pace moves by 10–30% from one run to the next (bench/RESULTS.md).

    .venv/bin/python bench/ab.py --base HEAD~1 [--head REV] [--levels 10,25] [--rounds 3] [--use-env-stores]

Each tree is a `git archive` of its revision in a temporary folder (no `--head`: the working tree as it is, changes
included), with this checkout's bench/ copied in, so both are measured by the same benchmark. Every round runs
`bench/load.py` once per tree, the order swapped each round, and the table gives per level and tree the × pace p50
and daphne's CPU a turn of every run, their means, and head over base.

With --use-env-stores the database in DATABASE_URL is dropped and created again before every run, and the Redis
database in REDIS_URL flushed: both must be scratch ones (a database whose name has "bench" in it, a Redis
database other than 0), or the script refuses.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.load import machine  # noqa: E402

# A level's line in bench/load.py's table: level, streams, TTFT p50 / p95, over pace p50 / p95, × pace p50 / p95,
# failed, CPU ms a turn, ...
_NUM = r"(?:-?[\d.]+|nan)"  # a level whose turns all failed has no percentiles: bench/load.py prints nan
LEVEL_LINE = re.compile(
    rf"^\s*(?P<level>\d+)\s+(?P<streams>\d+)\s+{_NUM}\s*/\s*{_NUM}\s+{_NUM}\s*/\s*{_NUM}\s+"
    rf"(?P<pace>{_NUM})\s*/\s*{_NUM}\s+(?P<failed>\d+)\s+(?P<cpu>[\d.]+)"
)


def parse_levels(output: str) -> list[dict]:
    """The level lines of one bench/load.py run, in order: level, × pace p50, failed turns, CPU ms a turn."""
    rows = []
    for line in output.splitlines():
        found = LEVEL_LINE.match(line)
        if found:
            rows.append(
                {
                    "level": int(found["level"]),
                    "pace": float(found["pace"]),
                    "failed": int(found["failed"]),
                    "cpu": float(found["cpu"]),
                }
            )
    return rows


def export(rev: str | None, into: Path) -> Path:
    """The tree of `rev` (None: the working tree, as it is) in `into`, with this checkout's bench/ in it."""
    if rev is None:
        ignore = shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "staticfiles", "__pycache__", "*.sqlite3"
        )
        shutil.copytree(ROOT, into, ignore=ignore)
    else:
        into.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
        shutil.copytree(ROOT / "bench", into / "bench", dirs_exist_ok=True)
    return into


def scratch_names(env: dict) -> tuple[str, str]:
    """DATABASE_URL's database name and REDIS_URL, when both are scratch stores; else refuse."""
    database, redis_url = env.get("DATABASE_URL", ""), env.get("REDIS_URL", "")
    name = urlsplit(database).path.lstrip("/")
    redis_db = urlsplit(redis_url).path.lstrip("/")
    if "bench" not in name or (redis_url and not (redis_db.isdigit() and int(redis_db) > 0)):
        raise SystemExit(
            "--use-env-stores drops DATABASE_URL's database and flushes REDIS_URL's before every run: point them "
            "at scratch ones, a database whose name has 'bench' in it and a Redis database other than 0 (e.g. "
            "postgres://postgres@127.0.0.1:5432/bench_ab and redis://127.0.0.1:6379/7)"
        )
    return name, redis_url


def scratch_stores(env: dict) -> None:
    """A fresh database and Redis database for each run (scratch ones only)."""
    import psycopg
    import redis
    from psycopg import sql

    name, redis_url = scratch_names(env)
    server = urlsplit(env["DATABASE_URL"])._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    if redis_url:
        redis.Redis.from_url(redis_url).flushdb()


def run(tree: Path, args: argparse.Namespace) -> list[dict]:
    if args.use_env_stores:
        scratch_stores(dict(os.environ))
    command = [
        sys.executable,
        "bench/load.py",
        "--levels",
        args.levels,
        "--idle-sockets",
        "0",
        "--history",
        "",
    ]
    command += ["--no-bare"] + (["--use-env-stores"] if args.use_env_stores else []) + args.load_args
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench/load.py failed in {tree}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return parse_levels(done.stdout)


def table(results: dict[str, list[list[dict]]], levels: list[int]) -> list[str]:
    """Per level (each occurrence of a repeated level apart) and tree: every run's × pace p50 and CPU, their means,
    and head over base."""
    lines = [
        f"{'level':>5}  {'tree':<4}  {'× pace p50, each run':<32}  {'mean':>5}  {'CPU ms/turn, each run':<32}  mean"
    ]
    for index, level in enumerate(levels):
        means = {}
        for name in ("base", "head"):
            rows = [runs[index] for runs in results[name] if len(runs) > index]
            paces, cpus = [r["pace"] for r in rows], [r["cpu"] for r in rows]
            means[name] = (statistics.mean(paces), statistics.mean(cpus))
            failed = sum(r["failed"] for r in rows)
            lines.append(
                f"{level:>5}  {name:<4}  {' '.join(f'{p:.2f}' for p in paces):<32}  {means[name][0]:5.2f}  "
                f"{' '.join(f'{c:.1f}' for c in cpus):<32}  {means[name][1]:.1f}"
                + (f"  ({failed} failed)" if failed else "")
            )
        pace, cpu = (means["head"][i] / means["base"][i] for i in (0, 1))
        lines.append(f"{'':>5}  head / base: × pace {pace:.3f}, CPU {cpu:.3f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the revision to compare against")
    parser.add_argument("--head", help="the revision to measure (default: the working tree, as it is)")
    parser.add_argument("--levels", default="10,25")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--use-env-stores", action="store_true", help="scratch DATABASE_URL/REDIS_URL (see above)"
    )
    parser.add_argument("load_args", nargs="*", help="passed on to bench/load.py (after --)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    if args.use_env_stores:
        scratch_names(dict(os.environ))  # refuse before anything is exported

    print(f"bench/ab.py on {machine()}")
    print(
        f"base {args.base}, head {args.head or 'the working tree'}; levels {args.levels}; {args.rounds} rounds"
    )
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        trees = {"base": export(args.base, Path(tmp) / "base"), "head": export(args.head, Path(tmp) / "head")}
        results: dict[str, list[list[dict]]] = {"base": [], "head": []}
        for round_ in range(args.rounds):
            order = ("base", "head") if round_ % 2 == 0 else ("head", "base")
            for name in order:
                results[name].append(run(trees[name], args))
                print(
                    f"round {round_ + 1}, {name}: "
                    + ", ".join(f"{r['pace']:.2f}×" for r in results[name][-1])
                )
    print("\n".join(table(results, levels)))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
