"""The performance harness: how does the cost of each page grow with the network?

    make perf                                   # N = 100, 1,000, 5,000 on SQLite and PostgreSQL
    PERF_SIZES=100,1000 PERF_DATABASES=sqlite make perf
    PERF_SIZES=5000 .venv/bin/python perf/run.py seed   # only seed (e.g. ahead of a run)
    .venv/bin/python perf/run.py report         # RESULTS.md again from results.json

For every database and size it seeds a database with N institutions through the real
services (``perf/seed.py``) and keeps it as a template in ``perf/seeds/`` (SQLite files; a
PostgreSQL database ``qa_perf_seed_<N>``): generating 5,000 institutions takes a quarter
of an hour or more, so a later run copies the template, migrates the copy to the checkout
and measures that. ``PERF_FRESH=1`` seeds again; RESULTS.md says when and at which commit
each network was generated. It then measures in one process per run
(``perf/measure.py``): the median server time and query count of each page through the
test client and the full middleware, beside a minimal view behind the same middleware;
the comparison Excel export beside openpyxl writing the same cells; each language's PDF
in a fresh process beside WeasyPrint rendering the already-built HTML, with that
process's peak resident memory, and the comparison Excel download's peak resident memory
in a fresh process too. It prints a table, writes ``perf/results.json`` and
records the run in ``perf/RESULTS.md``.

PostgreSQL: ``PERF_POSTGRES_URL`` (default ``postgres://qa:qa@127.0.0.1:5432/postgres``)
names a role that may create databases; each run measures in a new copy ``qa_perf_<N>``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_JSON = ROOT / "perf" / "results.json"
RESULTS_MD = ROOT / "perf" / "RESULTS.md"
SEEDS = ROOT / "perf" / "seeds"
REPEAT = int(os.environ.get("PERF_REPEAT", "5"))
PAGE_TARGET_MS = {1000: 150, 5000: 200}
PDF_TARGET_S, PDF_TARGET_RATIO = 3.0, 1.3
EXCEL_TARGET_S, EXCEL_TARGET_MIB, EXCEL_TARGET_RATIO = 5.0, 250, 1.5


def _django(database_url: str, data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="qa_tool.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "perf-harness-secret-key-" * 2),
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url,
        QA_DATA_DIR=data_dir,
    )
    (Path(data_dir) / "static").mkdir(parents=True, exist_ok=True)
    import django
    from django.conf import settings

    django.setup()
    # Manifest names need collectstatic; the lookup they add is not what is measured.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = False


def seed_child(n: int, out: str) -> None:
    """Seed N institutions in the (empty) database of DATABASE_URL; write the network's ids."""
    _django(os.environ["DATABASE_URL"], tempfile.mkdtemp(prefix="qa-perf-"))
    from perf.seed import network_ids, seed

    network = seed(n, log=lambda text: print(text, file=sys.stderr, flush=True))
    commit = _commit()
    from django.db import connection

    if connection.vendor == "sqlite":
        # The template is copied as one file: nothing may stay in the write-ahead log.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ids = network_ids(network)
    ids["seeded"] = {"date": datetime.now(UTC).isoformat(timespec="minutes"), "commit": commit}
    Path(out).write_text(json.dumps(ids, indent=1))


def child(seed_json: str, out: str) -> None:
    """One run: in a copy of a seeded database (DATABASE_URL), publish the release, make
    the action plan, measure, write JSON."""
    _django(os.environ["DATABASE_URL"], tempfile.mkdtemp(prefix="qa-perf-"))
    from django.db import connection

    from perf import measure
    from perf.seed import load

    ids = json.loads(Path(seed_json).read_text())
    network = load(ids)
    from qa_tool.actions.services import action_plan_generate
    from qa_tool.benchmarks.services import benchmark_release_publish

    benchmark_release_publish(
        rubric_version_id=network.version.pk, cycle_id=network.own.cycle_id, actor=None
    )
    benchmark_release_publish(
        rubric_version_id=network.course_version.pk, cycle_id=network.own.cycle_id, actor=None
    )
    # Large releases store their figures in the background: store them here, as the
    # worker would, so that the pages read what a running installation reads.
    from django.core.management import call_command

    call_command("store_release_figures", verbosity=0)
    action_plan_generate(assessment=network.own, actor=network.officer)
    result = {
        "database": connection.vendor,
        "n": network.n,
        "assessments": network.assessments,
        "generation_ms_per_assessment": round(1000 * network.seconds / network.assessments, 1),
        "seeded": ids.get("seeded"),
        "pages": measure.pages(network, REPEAT),
        "excel_baseline": measure.excel_baseline(network, REPEAT),
        "excel_memory": measure.excel_memory(seed_json),
        "pdf": measure.pdf(network, REPEAT),
    }
    Path(out).write_text(json.dumps(result, indent=1))


def excel_child(seed_json: str) -> None:
    """A fresh process downloading the comparison Excel: its peak memory is the export's."""
    _django(os.environ["DATABASE_URL"], tempfile.mkdtemp(prefix="qa-perf-"))
    from perf.measure import excel_probe
    from perf.seed import load

    print(json.dumps(excel_probe(load(json.loads(Path(seed_json).read_text())))))


def pdf_child(assessment_id: int, language: str) -> None:
    """A fresh process for one language's PDF: its peak memory is the PDF's own."""
    _django(os.environ["DATABASE_URL"], tempfile.mkdtemp(prefix="qa-perf-"))
    from perf.measure import pdf_probe

    print(json.dumps(pdf_probe(assessment_id, language, repeat=3)))


def _admin_url() -> str:
    return os.environ.get("PERF_POSTGRES_URL", "postgres://qa:qa@127.0.0.1:5432/postgres")


def _postgres(*statements: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(_admin_url(), autocommit=True, connect_timeout=5) as conn:
            for statement in statements:
                conn.execute(statement)
    except Exception as exc:
        print(f"PostgreSQL not usable at {_admin_url()}: {exc}", file=sys.stderr)
        return False
    return True


def _postgres_exists(name: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(_admin_url(), autocommit=True, connect_timeout=5) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return found.fetchone() is not None
    except Exception:
        return False


def _url(database: str, name: str) -> str:
    if database == "sqlite":
        return f"sqlite:///{SEEDS / f'{name}.sqlite3'}"
    return _admin_url().rsplit("/", 1)[0] + f"/{name}"


def seeded(database: str, n: int) -> Path | None:
    """Seed the template of (database, N) unless a complete one exists; its ids' file, or
    None when the database cannot be used."""
    SEEDS.mkdir(exist_ok=True)
    ids = SEEDS / f"{database}-{n}.json"
    template = f"qa_perf_seed_{n}"
    present = ids.exists() and (
        (SEEDS / f"{template}.sqlite3").exists()
        if database == "sqlite"
        else _postgres_exists(template)
    )
    if present and os.environ.get("PERF_FRESH") != "1":
        return ids
    ids.unlink(missing_ok=True)
    if database == "sqlite":
        (SEEDS / f"{template}.sqlite3").unlink(missing_ok=True)
    elif not _postgres(f"DROP DATABASE IF EXISTS {template}", f"CREATE DATABASE {template}"):
        return None
    print(f"{database}, N = {n}: seeding…", flush=True)
    subprocess.run(
        [sys.executable, str(ROOT / "perf" / "run.py"), "seed-child", str(n), str(ids)],
        env={**os.environ, "DATABASE_URL": _url(database, template)},
        cwd=ROOT,
        check=True,
    )
    return ids


def measured_copy(database: str, n: int) -> str | None:
    """A fresh copy of the template to measure in (publishing and the action plan write)."""
    template, name = f"qa_perf_seed_{n}", f"qa_perf_{n}"
    if database == "sqlite":
        for suffix in ("-wal", "-shm"):
            (SEEDS / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.copyfile(SEEDS / f"{template}.sqlite3", SEEDS / f"{name}.sqlite3")
    elif not _postgres(
        f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {template}"
    ):
        return None
    return _url(database, name)


def main(*, measure: bool = True) -> None:
    sizes = [int(s) for s in os.environ.get("PERF_SIZES", "100,1000,5000").split(",")]
    databases = os.environ.get("PERF_DATABASES", "sqlite,postgres").split(",")
    folder = Path(tempfile.mkdtemp(prefix="qa-perf-"))
    runs: list[dict[str, Any]] = []
    for database in databases:
        for n in sizes:
            ids = seeded(database, n)
            if not measure:
                continue
            url = measured_copy(database, n) if ids else None
            if ids is None or url is None:
                runs.append({"database": database, "n": n, "skipped": "database not reachable"})
                continue
            out = folder / f"{database}-{n}.json"
            started = time.perf_counter()
            print(f"{database}, N = {n}: measuring…", flush=True)
            subprocess.run(
                [sys.executable, str(ROOT / "perf" / "run.py"), "child", str(ids), str(out)],
                env={**os.environ, "DATABASE_URL": url},
                cwd=ROOT,
                check=True,
            )
            run = json.loads(out.read_text())
            run["wall_s"] = round(time.perf_counter() - started)
            run["measured"] = {
                "date": datetime.now(UTC).isoformat(timespec="minutes"),
                "commit": _commit(),
            }
            runs.append(run)
            print(table([run]), flush=True)
    if not measure:
        return
    report = {"date": datetime.now(UTC).isoformat(timespec="minutes"), "machine": machine()}
    report["runs"] = merged(runs)
    RESULTS_JSON.write_text(json.dumps(report, indent=1) + "\n")
    RESULTS_MD.write_text(results_markdown(report))
    print(f"written: {RESULTS_JSON.relative_to(ROOT)}, {RESULTS_MD.relative_to(ROOT)}")


def _key(run: dict[str, Any]) -> tuple[int, int]:
    database = {"sqlite": 0, "postgres": 1, "postgresql": 1}.get(run["database"], 2)
    return database, run["n"]


def merged(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """This run's figures, beside the last recorded figures of every database and size it
    did not measure (``PERF_SIZES=5000 PERF_DATABASES=postgres make perf`` measures one
    again); each run says when and at which commit it was measured."""
    kept: dict[tuple[int, int], dict[str, Any]] = {}
    if RESULTS_JSON.exists():
        for run in json.loads(RESULTS_JSON.read_text()).get("runs", []):
            if "skipped" not in run:
                kept[_key(run)] = run
    for run in runs:
        kept[_key(run)] = run
    return [kept[key] for key in sorted(kept)]


def _commit() -> str:
    return subprocess.run(
        [shutil.which("git") or "git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()


def machine() -> str:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu or platform.machine()}), {memory:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def table(runs: list[dict[str, Any]]) -> str:
    """Pages, then Excel and PDF, each with its ratio to the run's own baseline."""
    lines = []
    for run in runs:
        if "skipped" in run:
            lines.append(f"\n{run['database']}, N = {run['n']}: skipped ({run['skipped']})")
            continue
        pages = run["pages"]
        base = pages["minimal view (baseline)"]["median_ms"] or 1
        target = PAGE_TARGET_MS.get(run["n"])
        lines += [
            f"\n### {run['database']}, N = {run['n']:,} ({run['assessments']:,} assessments, "
            f"{run['generation_ms_per_assessment']} ms each to generate{_seeded(run)})",
            "",
            "| page | median ms | queries | x minimal view | target |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for name, figures in pages.items():
            verdict = ""
            # The Excel download has its own targets (below), not a page's.
            if target and name not in ("minimal view (baseline)", "comparison Excel"):
                verdict = "met" if figures["median_ms"] <= target else f"missed (< {target} ms)"
            lines.append(
                f"| {name} | {figures['median_ms']:,.1f} | {figures['queries']} | "
                f"{figures['median_ms'] / base:,.1f} | {verdict} |"
            )
        excel = pages["comparison Excel"]["median_ms"]
        plain = run["excel_baseline"]["median_ms"] or 1
        render = run["excel_baseline"]["render"]["median_ms"]
        lines += [
            "",
            f"Comparison Excel ({run['excel_baseline']['rows']:,} rows): the page "
            f"{excel:,.0f} ms; its renderer {render:,.0f} ms beside plain openpyxl writing "
            f"the same cells {plain:,.0f} ms, ratio {render / plain:.2f} (target "
            f"{EXCEL_TARGET_RATIO}x; the page under {EXCEL_TARGET_S:.0f} s at N = 5,000)",
            *_excel_memory_line(run),
            "",
            "| PDF | export s | bare WeasyPrint s | ratio | HTML KiB | peak RSS MiB | target |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for language, figures in run["pdf"].items():
            export = figures["report"]["median_ms"] / 1000
            bare = figures["bare_weasyprint"]["median_ms"] / 1000
            ok = export <= PDF_TARGET_S and export <= PDF_TARGET_RATIO * bare
            lines.append(
                f"| {language} | {export:.2f} | {bare:.2f} | {export / bare:.2f} | "
                f"{figures['html_kib']} | {figures['peak_rss_mib']:.0f} | "
                f"{'met' if ok else 'missed'} |"
            )
    return "\n".join(lines)


def _seeded(run: dict[str, Any]) -> str:
    text = ""
    if seeded := run.get("seeded"):
        text += f"; seeded {seeded['date']} at {seeded['commit']}"
    if measured := run.get("measured"):
        text += f"; measured {measured['date']} at {measured['commit']}"
    return text


def _excel_memory_line(run: dict[str, Any]) -> list[str]:
    memory = run.get("excel_memory")
    if not memory:
        return []
    return [
        "",
        f"Comparison Excel in a fresh process: {memory['seconds']:.2f} s, "
        f"{memory['kib']:,} KiB, peak resident memory {memory['peak_rss_mib']:.0f} MiB "
        f"(the process before the download: {memory['before_mib']:.0f} MiB; target "
        f"{EXCEL_TARGET_MIB} MiB at N = 5,000)",
    ]


def misses(runs: list[dict[str, Any]]) -> list[str]:
    """Every target this run missed, and the sizes it did not measure."""
    found = []
    measured = {run["n"] for run in runs if "skipped" not in run}
    found += [f"N = {n:,} was not measured in this run." for n in (1000, 5000) if n not in measured]
    for run in runs:
        if "skipped" in run:
            found.append(f"{run['database']}, N = {run['n']:,}: skipped ({run['skipped']}).")
            continue
        where = f"{run['database']}, N = {run['n']:,}"
        target = PAGE_TARGET_MS.get(run["n"])
        for name, figures in run["pages"].items():
            page = name not in ("minimal view (baseline)", "comparison Excel")
            if target and page and figures["median_ms"] > target:
                found.append(f"{where}: {name} {figures['median_ms']:,.0f} ms (< {target}).")
        excel = run["excel_baseline"]
        ratio = excel["render"]["median_ms"] / (excel["median_ms"] or 1)
        if ratio > EXCEL_TARGET_RATIO:
            found.append(
                f"{where}: comparison Excel renderer {ratio:.2f}x plain openpyxl "
                f"(< {EXCEL_TARGET_RATIO}x)."
            )
        memory = run.get("excel_memory")
        if memory and run["n"] >= 5000:
            if memory["seconds"] > EXCEL_TARGET_S:
                found.append(f"{where}: comparison Excel {memory['seconds']:.1f} s.")
            if memory["peak_rss_mib"] > EXCEL_TARGET_MIB:
                found.append(f"{where}: comparison Excel {memory['peak_rss_mib']:.0f} MiB.")
        for language, figures in run["pdf"].items():
            export = figures["report"]["median_ms"] / 1000
            bare = figures["bare_weasyprint"]["median_ms"] / 1000
            if export > PDF_TARGET_S or export > PDF_TARGET_RATIO * bare:
                found.append(f"{where}: PDF ({language}) {export:.2f} s, {export / bare:.2f}x.")
    return found


def results_markdown(report: dict[str, Any]) -> str:
    missed = misses(report["runs"])
    return (
        "# Performance: the last run of `make perf`\n\n"
        f"Date: {report['date']}. Machine: {report['machine']}.\n\n"
        "Medians of "
        f"{REPEAT} runs after a warm-up, server side (test client through the whole "
        "middleware), with the last run's query count. Ratios are to baselines measured in "
        "the same run: a minimal view behind the same middleware for pages, openpyxl "
        "writing the same cells for the comparison Excel, WeasyPrint rendering the "
        "already-built HTML for PDFs. Targets (this 2-core machine): every page under "
        "150 ms at N = 1,000 and under 200 ms at N = 5,000 with a query count independent "
        "of N; PDF under 3 s and at most 1.3x bare WeasyPrint; comparison Excel under 5 s "
        "and 250 MiB at N = 5,000.\n\n## Targets missed\n\n"
        + ("\n".join(f"- {line}" for line in missed) if missed else "None.")
        + "\n"
        + table(report["runs"])
        + "\n"
    )


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "main"
    if command == "child":
        child(sys.argv[2], sys.argv[3])
    elif command == "seed-child":
        seed_child(int(sys.argv[2]), sys.argv[3])
    elif command == "excel":
        excel_child(sys.argv[2])
    elif command == "seed":
        main(measure=False)
    elif command == "pdf":
        pdf_child(int(sys.argv[2]), sys.argv[3])
    elif command == "report":
        # RESULTS.md again from results.json (e.g. after a change of this layout).
        RESULTS_MD.write_text(results_markdown(json.loads(RESULTS_JSON.read_text())))
    else:
        main()
