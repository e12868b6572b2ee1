import json

from django.core.management.base import BaseCommand

from qa_tool.assessments.lookups import assessment_for_operator
from qa_tool.assessments.selectors import assessment_score_json


class Command(BaseCommand):
    help = "Print an assessment's score (the scoring contract's result) as a table or JSON."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int, metavar="ID")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the contract's JSON"
        )

    def handle(self, *args, assessment_id, as_json, **options):
        assessment = assessment_for_operator(assessment_id)
        data = assessment_score_json(assessment)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._table(data))

    @staticmethod
    def _table(data) -> str:
        def pct(value):
            return "—" if value is None else f"{value:.1f} %"

        def level(value, na):
            return "N/A" if na else ("—" if value is None else str(value))

        overall = data["overall"]
        lines = [
            f"Assessment {data['assessment']}: {data['institution']} · {data['rubric']} {data['version']}"
            + (f" · {data['subject']}" if data["subject"] else "")
            + f" · cycle {data['cycle']} · {data['status']}",
            f"Headline    {data['headline'].replace('_', '-')}"
            + (
                f" (self-assessed {pct(data['self_assessed']['overall']['score'])})"
                if data["validated"]
                else ""
            ),
            f"Completion  {pct(data['completion'])}",
            f"Overall     {pct(overall['score'])}   points {overall['points']} / {overall['points_possible']}",
            f"Band        {overall['band'] or '—'}",
        ]
        if overall["passed"] is not None:
            lines.append(f"Passed      {'yes' if overall['passed'] else 'no'}")
        if overall["failed_critical"]:
            lines.append("Failed critical: " + ", ".join(overall["failed_critical"]))
        lines += ["", f"{'Domain':<12}{'Score':>10}"]
        lines += [f"{d['code']:<12}{pct(d['score']):>10}" for d in data["domains"]]
        lines += ["", f"{'Criterion':<12}{'Level':>8}{'Score':>10}{'Self':>8}{'Reviewer':>10}"]
        for c in data["criteria"]:
            lines.append(
                f"{c['code']:<12}{level(c['value'], c['na']):>8}{pct(c['score']):>10}"
                f"{level(c['self_value'], c['self_value'] == 'na'):>8}"
                f"{level(c['reviewed_value'], c['reviewed_value'] == 'na'):>10}"
            )
        return "\n".join(lines)
