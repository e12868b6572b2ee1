"""One harness run in this process: seed a network of N institutions, then time the pages,
the exports and the PDF, each beside its baseline. Started by ``perf/run.py``, one process
per database and size (Django's database settings are read once per process)."""

from __future__ import annotations

import io
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "fr", "ar", "zh-hans")


def peak_rss_mib() -> float:
    """This process's peak resident memory, MiB.

    Linux's ``VmHWM``, the high-water mark of the process's own memory since it started
    (exec). Not ``getrusage``'s ``ru_maxrss``: a process started by fork and exec reports
    there the larger of its own peak and its parent's resident memory at the fork, which
    made every fresh process look as large as the harness that started it."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(func: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Median and spread of ``repeat`` runs after one warm-up, and the last run's queries."""
    func()
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            func()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "queries": queries,
    }


def _get(client: Client, url: str, status: int = 200) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response

    return run


def _wizard_post(client: Client, draft) -> Callable[[], Any]:
    """Save the first step as a person would: the page's own fields, a level each."""
    step = draft.rubric_version.content["domains"][0]["code"]
    url = reverse("assessments:fill_step", args=[draft.pk, step])

    def run() -> None:
        page = client.get(url).content.decode()
        data = {"next": ""}
        for name, value in re.findall(r'name="([^"]+-revision)" value="(\d+)"', page):
            prefix = name[: -len("-revision")]
            data[name] = value
            data[f"{prefix}-level"] = "2"
            data[f"{prefix}-justification"] = "Saved by the harness."
            data[f"{prefix}-links"] = ""
        data["save"] = "1"
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code

    return run


def _after_change(view: Callable[[], Any], version_id: int, cycle_id: int) -> Callable[[], Any]:
    """The view right after the pool changed (a submission anywhere): its stored figures
    are computed again first. The stamp's update is inside the timing."""
    from qa_tool.benchmarks.comparison import pool_changed

    def run() -> Any:
        pool_changed(rubric_version_id=version_id, cycle_id=cycle_id)
        return view()

    return run


def pages(network, repeat: int) -> dict[str, dict[str, Any]]:
    officer, reviewer, dean = Client(), Client(), Client()
    officer.force_login(network.officer)
    reviewer.force_login(network.reviewer)
    dean.force_login(network.dean)
    own, draft = network.own, network.draft
    version, cycle = own.rubric_version, own.cycle
    step = version.content["domains"][0]["code"]
    compare = f"?version={version.pk}&cycle={cycle.name}"
    rollup = reverse("units:rollup", args=[own.institution.code])
    rollup += f"?rubric_version={network.course_version.pk}&cycle={cycle.pk}"
    cases = {
        "minimal view (baseline)": _get(officer, "/perf/minimal/"),
        "dashboard (officer)": _get(officer, reverse("dashboard")),
        "dashboard (reviewer)": _get(reviewer, reverse("dashboard")),
        "wizard step GET": _get(officer, reverse("assessments:fill_step", args=[draft.pk, step])),
        "wizard step POST (GET + save)": _wizard_post(officer, draft),
        "results page (officer)": _get(officer, reverse("assessments:score", args=[own.pk])),
        "results page (dean)": _get(dean, reverse("assessments:score", args=[own.pk])),
        "review queue": _get(reviewer, reverse("assessments:review_queue")),
        "comparison page": _get(reviewer, reverse("benchmarks:compare") + compare),
        "comparison page (first view after a change)": _after_change(
            _get(reviewer, reverse("benchmarks:compare") + compare), version.pk, cycle.pk
        ),
        "comparison Excel": _get(reviewer, reverse("reports:compare_xlsx") + compare),
        "action plan": _get(officer, reverse("actions:plan", args=[own.pk])),
        "JSON report": _get(officer, reverse("reports:report", args=[own.pk, "json"])),
        "unit roll-up": _get(officer, rollup),
    }
    results = {}
    with override_settings(ROOT_URLCONF="perf.urls"):
        for name, func in cases.items():
            results[name] = timed(func, repeat)
    return results


def excel_baseline(network, repeat: int) -> dict[str, Any]:
    """The comparison export's renderer beside openpyxl writing the same cells with no
    logic (no styles, conditional formats, filters or charts); the data is read once,
    outside both timings, as the page's figure includes it."""
    import openpyxl
    from django_countries import countries

    from qa_tool.assessments.models import Status
    from qa_tool.benchmarks.peers import comparison_extras
    from qa_tool.benchmarks.selectors import comparison_rows, peer_pool
    from qa_tool.institutions.models import Region
    from reports.xlsx import ComparisonSheet, _peer_values, render_comparison_xlsx

    version, cycle = network.own.rubric_version, network.own.cycle
    peers = comparison_rows(peer_pool(rubric_version_id=version.pk, cycle_id=cycle.pk))
    codes = [d["code"] for d in version.content["domains"]]
    sheet = ComparisonSheet(
        title=f"{version.display_title} {version.version} · {cycle.name}",
        filters=[],
        domains=[(code, code) for code in codes],
        peers=peers,
        country_names={code: str(name) for code, name in countries},
        region_names={value: str(label) for value, label in Region.choices},
        extras=comparison_extras(rubric_version=version, cycle=cycle),
        status_names={value: str(label) for value, label in Status.choices},
    )
    rows = [_peer_values(sheet, peer, codes) for peer in peers]

    def plain() -> None:
        book = openpyxl.Workbook(write_only=True)
        out = book.create_sheet("Comparison")
        for row in rows:
            out.append(row)
        book.save(io.BytesIO())

    return {
        "rows": len(peers),
        "render": timed(lambda: render_comparison_xlsx(sheet), repeat),
        **timed(plain, repeat),
    }


def excel_memory(seed_json: str) -> dict[str, Any]:
    """The comparison Excel download in a fresh process (``run.py excel``)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "perf" / "run.py"), "excel", seed_json],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def excel_probe(network) -> dict[str, Any]:
    """Peak resident memory of a process that has started Django and then downloads the
    comparison Excel once, beside its resident memory just before the download."""
    client = Client()
    client.force_login(network.reviewer)
    version, cycle = network.own.rubric_version, network.own.cycle
    url = reverse("reports:compare_xlsx") + f"?version={version.pk}&cycle={cycle.name}"
    before = peak_rss_mib()
    started = time.perf_counter()
    response = _get(client, url)()
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    return {
        "seconds": round(seconds, 2),
        "kib": round(len(response.content) / 1024),
        "before_mib": round(before, 1),
        "peak_rss_mib": round(peak, 1),
    }


def pdf(network, repeat: int) -> dict[str, Any]:
    """Each language's PDF in a fresh process: its time, the bare WeasyPrint render of the
    same HTML, and the process's peak resident memory (WeasyPrint's is native)."""
    out = {}
    for language in LANGUAGES:
        done = subprocess.run(
            [sys.executable, str(ROOT / "perf" / "run.py"), "pdf", str(network.own.pk), language],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        out[language] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def pdf_probe(assessment_id: int, language: str, repeat: int = 3) -> dict[str, Any]:
    from django.utils import translation

    from qa_tool.assessments.models import Assessment
    from qa_tool.benchmarks.audience import Audience
    from reports import pdf as pdf_module
    from reports.context import build_report_context
    from reports.exporters import EXPORTERS

    assessment = Assessment.objects.get(pk=assessment_id)
    audience = Audience.institution(assessment.institution_id)

    def export() -> None:
        context = build_report_context(assessment=assessment, audience=audience, language=language)
        EXPORTERS["pdf"].render(context)

    report = timed(export, repeat)
    with translation.override(language):
        context = build_report_context(assessment=assessment, audience=audience, language=language)
        html = pdf_module.report_html(context)
        bare = timed(lambda: pdf_module.html_to_pdf(html), repeat)
    peak = peak_rss_mib()
    return {
        "report": report,
        "bare_weasyprint": bare,
        "html_kib": round(len(html.encode()) / 1024),
        "peak_rss_mib": round(peak, 1),
    }
