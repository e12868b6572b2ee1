"""Performance harness: timings of the heavy paths on generated data, outside the test suite.

    make perf                # 300 institutions
    PERF_INSTITUTIONS=1000 make perf

Runs against a throwaway SQLite database (or DATABASE_URL if set) and prints, for each
path, the wall time, the number of queries and the peak Python memory.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_tool.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("QA_DATA_DIR", tempfile.mkdtemp(prefix="qa-perf-"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

N = int(os.environ.get("PERF_INSTITUTIONS", "300"))


def measure(label: str, func) -> None:
    # Timed without tracemalloc (it slows Python code severalfold), then run again for memory.
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        func()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<52} {elapsed:7.2f} s {len(queries):5d} queries {peak / 2**20:7.1f} MiB")


def main() -> None:
    from qa_tool.assessments.models import Assessment, Cycle, Status
    from qa_tool.benchmarks.audience import Audience
    from qa_tool.benchmarks.models import DomainScore, ScoreSummary
    from qa_tool.benchmarks.services import benchmark_release_publish
    from qa_tool.institutions.models import Institution
    from reports.context import build_report_context
    from reports.exporters import EXPORTERS
    from reports.xlsx import ComparisonSheet, render_comparison_xlsx
    from rubrics.models import RubricVersion

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    version = RubricVersion.objects.get(rubric__slug="obtl-institution")
    cycle = Cycle.objects.get(name="2026")
    codes = [d["code"] for d in version.content["domains"]]
    regions = ["east-africa", "west-africa", "east-asia", "south-asia"]
    for i in range(N):
        institution = Institution.objects.create(
            code=f"PERF-{i:05d}",
            name=f"Perf University {i}",
            country="KE",
            region=regions[i % 4],
            type="public",
            size_band="medium",
        )
        assessment = Assessment.objects.create(
            institution=institution, rubric_version=version, cycle=cycle, status=Status.SUBMITTED
        )
        summary = ScoreSummary.objects.create(
            assessment=assessment,
            source="self",
            overall=Decimal(30 + i % 60),
            self_overall=Decimal(30 + i % 60),
            completion=100,
            counts=True,
        )
        DomainScore.objects.bulk_create(
            DomainScore(summary=summary, code=c, score=Decimal((i * 7 + k * 11) % 100))
            for k, c in enumerate(codes)
        )
    print(f"{N} generated institutions plus the demo's")
    demo = Assessment.objects.get(institution__code="KE-HSU", cycle=cycle, rubric_version=version)
    dean = Audience.institution(demo.institution_id)
    reviewer = Audience.centre()
    measure(
        f"publish a release ({N} institutions)",
        lambda: benchmark_release_publish(
            rubric_version_id=version.pk, cycle_id=cycle.pk, actor=None
        ),
    )
    measure(
        "report context (dean, anonymous released peers)",
        lambda: build_report_context(assessment=demo, audience=dean),
    )
    measure(
        "report context (reviewer, named live peers)",
        lambda: build_report_context(assessment=demo, audience=reviewer),
    )
    context = build_report_context(assessment=demo, audience=dean)
    for fmt in ("pdf", "xlsx", "json"):
        measure(f"render {fmt}", lambda fmt=fmt: EXPORTERS[fmt].render(context))
    from qa_tool.benchmarks.selectors import comparison_extras, peer_pool

    peers = peer_pool(rubric_version_id=version.pk, cycle_id=cycle.pk)
    domains = [(c, c) for c in codes]

    def comparison() -> bytes:
        sheet = ComparisonSheet(
            title="perf",
            filters=[("Cycle", cycle.name)],
            domains=domains,
            peers=peers,
            country_names={},
            region_names={},
            extras=comparison_extras(rubric_version=version, cycle=cycle),
            status_names={},
        )
        return render_comparison_xlsx(sheet)

    measure(f"comparison export ({len(peers)} institutions, write-only)", comparison)


if __name__ == "__main__":
    main()
