"""Many coders at once on one team project on a PostgreSQL server, against one coder on a file.

    python bench/bench_team.py [--coders 20] [--seconds 20] [--think 1] [--json] [--keep-cluster]

Starts a throwaway PostgreSQL cluster (tests/pg_cluster.py), makes a team project with the seed
articles in a database owned by a lead (a login role with CREATEROLE, not a superuser, so
row-level security binds everyone; blind coding on, the default), adds the coders as login roles
and one more adjudicator, then runs three phases of `--seconds` each:

| phase | who |
| --- | --- |
| sqlite-1 | one coder process on a project file (the baseline) |
| server-1 | one coder process on the server project |
| server-N | N coder processes and one adjudicator process on the server project, all at once |

Every coder is a separate process (spawned, so nothing is shared) that logs in as its own role
and works through a `Workspace`, as the desktop app does: each action is one
`workspace.history.run` (or `undo`) transaction. A coder picks at random: tag a word of a seed
article (`tag`, about half the actions), create an event (`event`), fill a role of one of their
events with one of their mentions the role accepts (`fill role`), or undo their last action
(`undo`). The adjudicator reads the review of a random seed article (`review`, a read) and accepts
a coder's mention that gold does not hold yet (`accept`, `AcceptMention`). `--think S` makes each
process of the server-N phase pause a random time (exponential, mean S seconds; default 1) between
actions: a coder who tags, fills a role or undoes every second on average, already faster than
people code. `--think 0` is the stress case: every process asks as fast as it can, so 21 Python
processes and their server backends share this machine's 2 cores and each action waits for the
others' turns. The one-coder phases run without pauses (nothing to contend with; more samples).

Reported per phase and action kind: count, throughput, median and p95 latency (ms), the SQL
statements sent per action, the client's CPU time per action, refusals
(an `AnnotaryError`: e.g. the accepted mention was undone meanwhile) and failures (any other
error); and the server-N / sqlite-1 ratios. Each process's first action of each kind is kept out of
these figures and reported apart (median and max): it compiles its statements and warms the
server's caches once, as a coder's first action after opening a project does. Afterwards every process's live rows (ids of the
mentions, events and arguments it made and did not undo; gold's mentions for the adjudicator) are
compared with the database: nothing lost, nothing extra. The exit status is 1 if they differ or
an action failed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import re
import statistics
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

TARGET_P95_MS = 50.0
WORD = re.compile(r"\w+")


# ---------------------------------------------------------------- worker processes


def _pause(rng: random.Random, think: float) -> None:
    if think > 0:
        time.sleep(rng.expovariate(1.0 / think))


class _Coder:
    """One simulated coder: what they made and have not undone, mirrored from their history."""

    def __init__(self, ws: Any, rng: random.Random) -> None:
        self.ws, self.rng = ws, rng
        self.docs = {}
        for row in ws.document_rows(0, 100):
            text = ws.document_text(row.id)
            self.docs[row.id] = (text, [(m.start(), m.end()) for m in WORD.finditer(text)])
        self.types = [t.id for t in ws.codebook.entity_types]
        self.event_types = [t for t in ws.codebook.event_types
                            if any(r.accepts or not r.accepts_events for r in t.roles)]
        self.mentions: dict[int, tuple[int, int]] = {}  # id -> (document, entity type)
        self.events: dict[int, tuple[int, int]] = {}  # id -> (document, event type)
        self.arguments: dict[int, tuple[int, int, int]] = {}  # id -> (event, role, mention)

    def choose(self) -> str:
        r = self.rng.random()
        if r < 0.15 and self.ws.history.undo_label is not None:
            return "undo"
        if r < 0.27:
            return "event"
        if r < 0.50 and self.events:
            return "fill role"
        return "tag"

    def tag(self, document_id: int | None = None, type_id: int | None = None) -> None:
        doc = document_id if document_id is not None else self.rng.choice(list(self.docs))
        text, words = self.docs[doc]
        start, end = self.rng.choice(words)
        action = self.ws.tag(doc, text, start, end, type_id if type_id is not None else self.rng.choice(self.types))
        self.mentions[action.mention_id] = (doc, action.entity_type_id)

    def event(self) -> None:
        doc = self.rng.choice(list(self.docs))
        text, words = self.docs[doc]
        etype = self.rng.choice(self.event_types)
        action = self.ws.create_event(doc, etype.id, text, self.rng.choice(words))
        self.events[action.event_id] = (doc, etype.id)

    def fill_plan(self) -> tuple[int, int, int] | tuple[int, int]:
        """(event, role, mention) to fill, or (document, entity type) to tag first when no mention fits."""
        event_id = self.rng.choice(list(self.events))
        doc, etype_id = self.events[event_id]
        etype = self.ws.codebook.event_type(etype_id)
        filled = {(e, r) for e, r, _ in self.arguments.values()}
        taken = {(e, r, m) for e, r, m in self.arguments.values()}
        roles = [r for r in etype.roles if (r.accepts or not r.accepts_events)
                 and (r.repeatable or (event_id, r.id) not in filled)]
        self.rng.shuffle(roles)
        for role in roles:
            fits = [m for m, (d, t) in self.mentions.items()
                    if d == doc and (not role.accepts or t in role.accepts) and (event_id, role.id, m) not in taken]
            if fits:
                return event_id, role.id, self.rng.choice(fits)
        if roles:
            role = roles[0]
            return doc, self.rng.choice(role.accepts) if role.accepts else self.rng.choice(self.types)
        return doc, self.rng.choice(self.types)

    def fill(self, plan: tuple[int, int, int]) -> None:
        event_id, role_id, mention_id = plan
        from app.core.services import history as h

        action = self.ws.history.run(h.AddArgument(event_id, role_id, mention_id))  # what ws.add_argument runs
        self.arguments[action.argument_id] = plan

    def undo(self) -> None:
        from app.core.services import history as h

        action = self.ws.undo()
        if isinstance(action, h.CreateMention):
            self.mentions.pop(known(action.mention_id))
        elif isinstance(action, h.CreateEvent):
            self.events.pop(known(action.event_id))
        elif isinstance(action, h.AddArgument):
            self.arguments.pop(known(action.argument_id))
        else:
            raise RuntimeError(f"undid an unexpected action: {action!r}")

    def live(self) -> dict[str, list[int]]:
        return {"mentions": sorted(self.mentions), "events": sorted(self.events), "arguments": sorted(self.arguments)}


def known(value: int | None) -> int:
    assert value is not None
    return value


def _new_stats() -> dict[str, Any]:
    return {"ms": defaultdict(list), "cpu": defaultdict(list), "sql": defaultdict(list), "first": {},
            "refused": defaultdict(int), "failed": defaultdict(int), "samples": {}}


def _count_statements(project: Any) -> list[int]:
    """A counter of the SQL statements the project's engine sends (one element: a list, so it can change)."""
    from sqlalchemy import event

    count = [0]

    @event.listens_for(project.engine, "before_cursor_execute")
    def _one(*_: Any) -> None:
        count[0] += 1

    return count


def _timed(stats: dict[str, Any], kind: str, call: Any, *args: Any) -> None:
    """Time one action. A process's first action of each kind is kept apart (`first`): it pays for
    compiling its statements and warming the server's caches once, as a coder's first action after
    opening the project does; the per-kind figures are of the actions after it."""
    from app.core.errors import AnnotaryError

    sql = stats["statements"]
    t0, c0, q0 = time.perf_counter(), time.process_time(), sql[0]
    try:
        call(*args)
    except AnnotaryError as exc:
        stats["refused"][kind] += 1
        stats["samples"].setdefault(kind, str(exc))
        return
    except Exception as exc:  # noqa: BLE001 (any other error is counted as a failure of the run)
        stats["failed"][kind] += 1
        stats["samples"].setdefault(kind, " ".join(f"{type(exc).__name__}: {exc}".split())[:300])
        return
    ms = (time.perf_counter() - t0) * 1000
    if kind not in stats["first"]:
        stats["first"][kind] = ms
        return
    stats["ms"][kind].append(ms)
    stats["cpu"][kind].append((time.process_time() - c0) * 1000)
    stats["sql"][kind].append(sql[0] - q0)


def _report(stats: dict[str, Any], who: str, role: str, live: dict[str, list[int]]) -> dict[str, Any]:
    return {"who": who, "role": role, "ms": dict(stats["ms"]), "cpu": dict(stats["cpu"]), "sql": dict(stats["sql"]),
            "first": stats["first"], "refused": dict(stats["refused"]), "failed": dict(stats["failed"]),
            "samples": stats["samples"], "live": live}


def run_coder(address: str, name: str | None, seconds: float, think: float, seed: int,
              ready: Any, go: Any, out: Any) -> None:
    try:
        from app.core.project import open_project
        from app.core.server.identity import coder_for
        from app.core.services.workspace import Workspace

        project = open_project(address)
        ws = Workspace(project, coder_for(project, name))
        coder = _Coder(ws, random.Random(seed))
        stats = _new_stats()
        stats["statements"] = _count_statements(project)
        ready.put(ws.coder_name)
        go.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            _pause(coder.rng, think)  # before the first action too: the coders do not all click at once
            kind = coder.choose()
            if kind == "undo":
                _timed(stats, kind, coder.undo)
            elif kind == "event":
                _timed(stats, kind, coder.event)
            elif kind == "fill role":
                plan = coder.fill_plan()
                if len(plan) == 3:
                    _timed(stats, kind, coder.fill, plan)
                else:
                    _timed(stats, "tag", coder.tag, *plan)
            else:
                _timed(stats, kind, coder.tag)
        project.close()
        out.put(_report(stats, ws.coder_name, "coder", coder.live()))
    except BaseException:  # noqa: BLE001 (reported to the parent, which fails the phase)
        ready.put(None)
        out.put({"who": name, "error": traceback.format_exc()})


def run_adjudicator(address: str, seconds: float, think: float, seed: int, ready: Any, go: Any, out: Any) -> None:
    try:
        from app.core.project import open_project
        from app.core.server.identity import coder_for
        from app.core.services import history as h
        from app.core.services.adjudication import accept_item
        from app.core.services.review_items import load_review
        from app.core.services.workspace import Workspace

        project = open_project(address)
        ws = Workspace(project, coder_for(project, None))
        docs = [row.id for row in ws.document_rows(0, 100)]
        rng = random.Random(seed)
        stats = _new_stats()
        stats["statements"] = _count_statements(project)
        gold: set[int] = set()  # gold mentions the adjudicator's accepts made and did not replace
        found: list[Any] = []

        def review(doc: int) -> None:
            with project.read() as session:
                found[:] = [i for i in load_review(session, doc).items
                            if i.kind == "mention" and not i.gold and i.holders]

        def accept() -> None:
            item = rng.choice(found)
            action = ws.history.run(accept_item(item, rng.choice(sorted(item.holders))))
            for step in action.steps:
                if isinstance(step, h.CreateMention):
                    gold.add(known(step.mention_id))
                elif isinstance(step, h.DeleteMention):
                    gold.discard(step.mention_id)

        ready.put(ws.coder_name)
        go.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            _pause(rng, think)
            found.clear()
            _timed(stats, "review", review, rng.choice(docs))
            if found:
                _timed(stats, "accept", accept)
        project.close()
        out.put(_report(stats, ws.coder_name, "adjudicator", {"gold mentions": sorted(gold)}))
    except BaseException:  # noqa: BLE001 (reported to the parent, which fails the phase)
        ready.put(None)
        out.put({"who": "adjudicator", "error": traceback.format_exc()})


# ---------------------------------------------------------------- phases


def run_phase(label: str, coders: list[tuple[str, str | None]], adjudicator: str | None, seconds: float,
              think: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Start every process, wait until all are connected, let them go at once; their reports."""
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=run_coder, args=(address, name, seconds, think, 1000 + i, ready, go, out))
             for i, (address, name) in enumerate(coders)]
    if adjudicator is not None:
        procs.append(ctx.Process(target=run_adjudicator, args=(adjudicator, seconds, think, 7, ready, go, out)))
    for p in procs:
        p.start()
    names = [ready.get(timeout=300) for _ in procs]
    go.set()
    t0 = time.perf_counter()
    reports = [out.get(timeout=seconds + 300) for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    errors = [r["error"] for r in reports if "error" in r]
    if errors or None in names:
        raise RuntimeError(f"{label}: a process failed:\n" + "\n".join(errors))
    return summarise(label, reports, wall), reports


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def summarise(label: str, reports: list[dict[str, Any]], wall: float) -> dict[str, Any]:
    kinds: dict[str, dict[str, Any]] = {}
    for kind in ("tag", "event", "fill role", "undo", "review", "accept"):
        ms = [v for r in reports for v in r["ms"].get(kind, [])]
        refused = sum(r["refused"].get(kind, 0) for r in reports)
        failed = sum(r["failed"].get(kind, 0) for r in reports)
        if not ms and not refused and not failed:
            continue
        cpu = [v for r in reports for v in r["cpu"].get(kind, [])]
        sql = [v for r in reports for v in r["sql"].get(kind, [])]
        first = [r["first"][kind] for r in reports if kind in r["first"]]
        kinds[kind] = {"count": len(ms), "per_second": len(ms) / wall, "median_ms": statistics.median(ms) if ms else None,
                       "p95_ms": _p95(ms) if ms else None, "client_cpu_ms": statistics.median(cpu) if cpu else None,
                       "statements": statistics.mean(sql) if sql else None,
                       "first_count": len(first), "first_median_ms": statistics.median(first) if first else None,
                       "first_max_ms": max(first) if first else None,
                       "refused": refused, "failed": failed,
                       "sample": next((r["samples"][kind] for r in reports if kind in r["samples"]), "")}
    writes = [v for r in reports for k, vs in r["ms"].items() if k != "review" for v in vs]
    return {"phase": label, "processes": len(reports), "seconds": wall, "kinds": kinds,
            "writes": {"count": len(writes), "per_second": len(writes) / wall,
                       "median_ms": statistics.median(writes) if writes else None,
                       "p95_ms": _p95(writes) if writes else None}}


# ---------------------------------------------------------------- checking the rows


def check_rows(address: str, reports: list[dict[str, Any]]) -> list[str]:
    """Every process's live rows against the database (read as the lead, who sees everything)."""
    from sqlalchemy import select

    from app.core.models import Coder, Event, EventArgument, Mention
    from app.core.project import open_project

    problems = []
    project = open_project(address)
    try:
        with project.read() as s:
            ids = {name: cid for cid, name in s.execute(select(Coder.id, Coder.name))}
            for r in reports:
                cid = ids[r["who"]]
                if r["role"] == "adjudicator":
                    stored = {"gold mentions": set(s.scalars(select(Mention.id).where(Mention.coder_id == ids["gold"])))}
                else:
                    stored = {
                        "mentions": set(s.scalars(select(Mention.id).where(Mention.coder_id == cid))),
                        "events": set(s.scalars(select(Event.id).where(Event.coder_id == cid))),
                        "arguments": set(s.scalars(select(EventArgument.id).join(Event, Event.id == EventArgument.event_id)
                                                   .where(Event.coder_id == cid))),
                    }
                for what, rows in stored.items():
                    reported = set(r["live"][what])
                    if rows != reported:
                        problems.append(f"{r['who']}: {what}: {len(reported)} reported, {len(rows)} stored "
                                        f"({len(reported - rows)} lost, {len(rows - reported)} extra)")
    finally:
        project.close()
    return problems


def totals(reports: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in reports:
        for what, ids in r["live"].items():
            out[what] += len(ids)
    return dict(out)


# ---------------------------------------------------------------- setup


def make_team(cluster: Any, n_coders: int) -> tuple[str, list[str], str]:
    """The team project: a database owned by a non-superuser lead; returns (lead URL, coder URLs, adjudicator URL)."""
    import psycopg

    from app.core.server.roles import add_coder
    from app.core.services.projects import init_project

    with psycopg.connect(cluster.admin_url(), autocommit=True) as conn:
        conn.execute('CREATE ROLE "lead" LOGIN CREATEROLE')
        conn.execute('CREATE DATABASE "team" OWNER "lead"')
    url = lambda user: f"postgresql://{user}@127.0.0.1:{cluster.port}/team"  # noqa: E731
    project = init_project(url("lead"))
    try:
        with project.engine.begin() as conn:
            names = [add_coder(conn, "team", f"coder{i:02d}") for i in range(1, n_coders + 1)]
            add_coder(conn, "team", "solo")
            add_coder(conn, "team", "adjudicator", role="adjudicator")
    finally:
        project.close()
    return url("lead"), [url(n) for n in names], url("adjudicator")


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def print_table(phases: list[dict[str, Any]], checks: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\n{args.coders} coders, {args.seconds:g} s per phase, think time {args.think:g} s; latency in ms "
          "(cpu: the client process's own CPU time per action, median)")
    print("(sql: SQL statements sent per action, mean; first: each process's first action of that kind, kept out "
          "of the other columns: median / max)")
    print(f"{'phase':<10} {'action':<10} {'count':>7} {'per s':>8} {'median':>8} {'p95':>8} {'cpu':>6} {'sql':>5} "
          f"{'refused':>8} {'failed':>7}  first")
    for ph in phases:
        rows = [*ph["kinds"].items(), ("all writes", ph["writes"])]
        for kind, k in rows:
            med = f"{k['median_ms']:.1f}" if k["median_ms"] is not None else "-"
            p95 = f"{k['p95_ms']:.1f}" if k["p95_ms"] is not None else "-"
            cpu = f"{k['client_cpu_ms']:.1f}" if k.get("client_cpu_ms") is not None else ""
            sql = f"{k['statements']:.1f}" if k.get("statements") is not None else ""
            first = (f"{k['first_median_ms']:.0f} / {k['first_max_ms']:.0f} ms ({k['first_count']})"
                     if k.get("first_count") else "")
            print(f"{ph['phase']:<10} {kind:<10} {k['count']:>7} {k['per_second']:>8.1f} {med:>8} {p95:>8} {cpu:>6} "
                  f"{sql:>5} {k.get('refused', ''):>8} {k.get('failed', ''):>7}  {first}")
    base = phases[0]
    print("\nratios to sqlite-1 (median / p95 latency; throughput)")
    for ph in phases[1:]:
        for kind, k in [*ph["kinds"].items(), ("all writes", ph["writes"])]:
            b = base["writes"] if kind == "all writes" else base["kinds"].get(kind)
            if b is None:
                continue
            m, p, t = ratio(k["median_ms"], b["median_ms"]), ratio(k["p95_ms"], b["p95_ms"]), ratio(k["per_second"], b["per_second"])
            print(f"  {ph['phase']:<10} {kind:<10} median x{m:.1f}  p95 x{p:.1f}  throughput x{t:.2f}")
    worst = max((k["p95_ms"] for kind, k in phases[-1]["kinds"].items() if kind != "review" and k["p95_ms"] is not None),
                default=None)
    verdict = "met" if worst is not None and worst <= TARGET_P95_MS else "NOT met"
    print(f"\ntarget p95 <= {TARGET_P95_MS:.0f} ms per action with {args.coders} coders: {verdict} "
          f"(worst action p95 {worst:.1f} ms)")
    for label, c in checks.items():
        state = "nothing lost, nothing extra" if not c["problems"] else "; ".join(c["problems"])
        print(f"rows {label}: {c['totals']}: {state}")
    for ph in phases:
        for kind, k in ph["kinds"].items():
            if k["refused"] or k["failed"]:
                print(f"  {ph['phase']} {kind}: e.g. {k['sample']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean pause between a process's actions (s); 0: every process asks as fast as it can")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--keep-cluster", action="store_true", help="leave the cluster running (its URL is printed)")
    args = parser.parse_args(argv)

    from app.core.services.projects import init_project
    from pg_cluster import start_cluster

    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    cluster = start_cluster()
    if cluster is None:
        print("PostgreSQL is not installed (no initdb found)", file=sys.stderr)
        return 2
    try:
        log(f"cluster on port {cluster.port}; making the team project")
        lead, coder_urls, adjudicator = make_team(cluster, args.coders)
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "bench.annotary")
            init_project(path).close()
            log("phase sqlite-1")
            solo_file, file_reports = run_phase("sqlite-1", [(path, "solo")], None, args.seconds, 0.0)
            file_check = {"totals": totals(file_reports), "problems": check_rows(path, file_reports)}
        solo_url = lead.replace("//lead@", "//solo@")
        log("phase server-1")
        solo_server, solo_reports = run_phase("server-1", [(solo_url, None)], None, args.seconds, 0.0)
        log(f"phase server-{args.coders}")
        team, team_reports = run_phase(f"server-{args.coders}", [(u, None) for u in coder_urls], adjudicator,
                                       args.seconds, args.think)
        checks = {
            "sqlite-1": file_check,
            "server-1": {"totals": totals(solo_reports), "problems": check_rows(lead, solo_reports)},
            f"server-{args.coders}": {"totals": totals(team_reports), "problems": check_rows(lead, team_reports)},
        }
        phases = [solo_file, solo_server, team]
        if args.json:
            print(json.dumps({"coders": args.coders, "seconds": args.seconds, "think": args.think,
                              "target_p95_ms": TARGET_P95_MS, "phases": phases, "rows": checks}, indent=2))
        else:
            print_table(phases, checks, args)
        if args.keep_cluster:
            log(f"cluster kept: {lead} (data in {cluster.root}; stop with pg_ctl -D {cluster.data} stop)")
        bad = any(c["problems"] for c in checks.values()) or any(
            k["failed"] for ph in phases for k in ph["kinds"].values())
        return 1 if bad else 0
    finally:
        if not args.keep_cluster:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
