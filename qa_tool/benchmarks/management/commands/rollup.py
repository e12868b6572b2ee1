"""``rollup``: an institution's roll-up of a programme- or course-level rubric in a cycle."""

import json

from django.core.management.base import BaseCommand, CommandError

from qa_tool.assessments.models import Cycle
from qa_tool.benchmarks.rollup_selectors import institution_rollup, rollup_json, rollup_version
from qa_tool.institutions.models import Institution


class Command(BaseCommand):
    help = (
        "Print an institution's roll-up of its programme or course reviews for a rubric and "
        "cycle: units reviewed, passed, pass rate, score figures, per criterion and programme."
    )

    def add_base_argument(self, parser, *args, **kwargs):
        # --version names the rubric version here, not Django's.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("institution", metavar="INSTITUTION_CODE")
        parser.add_argument("--rubric", required=True, metavar="SLUG")
        parser.add_argument(
            "--version", dest="rubric_version", metavar="V", help="default: the latest one used"
        )
        parser.add_argument("--cycle", required=True, metavar="CYCLE")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, institution, rubric, rubric_version, cycle, as_json, **options):
        version = rubric_version
        found = Institution.objects.filter(code=institution).first()
        if found is None:
            raise CommandError(f"unknown institution {institution}")
        cycle_row = Cycle.objects.filter(name=cycle).first()
        if cycle_row is None:
            raise CommandError(f"unknown cycle {cycle}")
        rubric_version = rollup_version(
            slug=rubric, version=version, institution=found, cycle=cycle_row
        )
        if rubric_version is None:
            raise CommandError(
                f"unknown rubric {rubric}" + (f" version {version}" if version else "")
            )
        if not rubric_version.is_unit_level:
            raise CommandError(
                f"{rubric} {rubric_version.version} assesses the whole institution; "
                "a roll-up needs a programme- or course-level rubric"
            )
        data = rollup_json(
            institution_rollup(institution=found, rubric_version=rubric_version, cycle=cycle_row)
        )
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._table(data))

    @staticmethod
    def _table(data) -> str:
        def pct(value):
            return "—" if value is None else f"{value:.1f} %"

        score = data["score"]
        lines = [
            f"{data['institution']} · {data['rubric']} {data['version']} · cycle {data['cycle']}"
            f" · {data['level']}s",
            f"Reviewed    {data['units']}",
            f"Passed      {data['passed'] if data['passed'] is not None else '—'}"
            f"   pass rate {pct(data['pass_rate'])}",
            f"Score       mean {pct(score['mean'])}  median {pct(score['median'])}"
            f"  min {pct(score['min'])}  max {pct(score['max'])}",
            "Weakest     " + (", ".join(data["weakest"]) or "—"),
            "",
            f"{'Criterion':<12}{'Rated':>7}{'At top':>8}{'Top %':>10}{'Critical fail %':>17}",
        ]
        for c in data["criteria"]:
            lines.append(
                f"{c['code']:<12}{c['rated']:>7}{c['at_top']:>8}{pct(c['top_rate']):>10}"
                f"{pct(c['below_critical_rate']):>17}"
            )
        lines += ["", f"{'Programme':<16}{'Units':>7}{'Passed':>8}{'Pass rate':>11}{'Median':>10}"]
        for p in data["programmes"]:
            lines.append(
                f"{p['code'] or '(none)':<16}{p['units']:>7}{p['passed'] if p['passed'] is not None else '—':>8}"
                f"{pct(p['pass_rate']):>11}{pct(p['score']['median']):>10}"
            )
        return "\n".join(lines)
