import json

from django.utils.translation import gettext as _

from qa_tool.assessments.lookups import assessment_for_operator
from qa_tool.assessments.selectors import assessment_score_json
from qa_tool.core.commands import TranslatedCommand


class Command(TranslatedCommand):
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
        lines = _summary_lines(data)
        lines += ["", *_domain_lines(data)]
        lines += ["", *_criterion_lines(data)]
        return "\n".join(lines)


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f} %"


def _level(value, na) -> str:
    return _("N/A") if na else ("—" if value is None else str(value))


def _summary_lines(data) -> list[str]:
    overall = data["overall"]
    labels = {
        "headline": _("Headline"),
        "completion": _("Completion"),
        "overall": _("Overall"),
        "band": _("Band"),
        "passed": _("Passed"),
    }
    # Every label, even an absent "Passed", sets the width so the columns don't shift.
    width = max(len(label) for label in labels.values()) + 2
    headline = data["headline"].replace("_", "-")
    if overall is None:
        return [
            _title(data),
            labels["headline"].ljust(width) + headline,
            labels["completion"].ljust(width) + _pct(data["completion"]),
            _("Level profile (criteria per level): %(counts)s")
            % {"counts": _profile_text(data["profile"])},
        ]
    if data["validated"]:
        headline += " " + _("(self-assessed %(score)s)") % {
            "score": _pct(data["self_assessed"]["overall"]["score"])
        }
    lines = [
        _title(data),
        labels["headline"].ljust(width) + headline,
        labels["completion"].ljust(width) + _pct(data["completion"]),
        labels["overall"].ljust(width)
        + _pct(overall["score"])
        + "   "
        + _("points %(points)s / %(possible)s")
        % {"points": overall["points"], "possible": overall["points_possible"]},
        labels["band"].ljust(width) + (overall["band"] or "—"),
    ]
    if overall["passed"] is not None:
        lines.append(labels["passed"].ljust(width) + (_("yes") if overall["passed"] else _("no")))
    if overall["failed_critical"]:
        lines.append(
            _("Failed critical: %(codes)s") % {"codes": ", ".join(overall["failed_critical"])}
        )
    if overall["failed_domains"]:
        lines.append(
            _("Domains below their minimum: %(codes)s")
            % {"codes": ", ".join(overall["failed_domains"])}
        )
    return lines


def _profile_text(profile) -> str:
    """ "1: 0 · 2: 3 · … · N/A: 1 · not answered: 2": a profile rubric's summary line."""
    parts = [f"{level['value']}: {level['count']}" for level in profile["levels"]]
    parts.append(_("N/A: %(count)s") % {"count": profile["na"]})
    parts.append(_("not answered: %(count)s") % {"count": profile["unanswered"]})
    return " · ".join(parts)


def _title(data) -> str:
    return _(
        "Assessment %(id)s: %(institution)s · %(rubric)s %(version)s · cycle %(cycle)s · %(status)s"
    ) % {
        "id": data["assessment"],
        "institution": data["institution"],
        "rubric": data["rubric"],
        "version": data["version"],
        "cycle": data["cycle"],
        "status": data["status"],
    } + (f" · {data['subject']}" if data.get("subject") else "")


def _domain_lines(data) -> list[str]:
    domain, score = _("Domain"), _("Score")
    return [f"{domain:<12}{score:>10}"] + [
        f"{d['code']:<12}{_pct(d['score']):>10}" for d in data["domains"]
    ]


def _criterion_lines(data) -> list[str]:
    criterion, lvl, score, own, reviewer = (
        _("Criterion"),
        _("Level"),
        _("Score"),
        _("Self"),
        _("Reviewer"),
    )
    lines = [f"{criterion:<12}{lvl:>8}{score:>10}{own:>8}{reviewer:>10}"]
    for c in data["criteria"]:
        lines.append(
            f"{c['code']:<12}{_level(c['value'], c['na']):>8}{_pct(c['score']):>10}"
            f"{_level(c['self_value'], c['self_value'] == 'na'):>8}"
            f"{_level(c['reviewed_value'], c['reviewed_value'] == 'na'):>10}"
        )
    return lines
