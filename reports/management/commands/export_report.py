from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from qa_tool.assessments.lookups import assessment_for_operator
from qa_tool.benchmarks.audience import Audience
from qa_tool.core.commands import TranslatedCommand
from reports.context import build_report_context
from reports.exporters import EXPORTERS
from reports.peer_figures import group_refusal


class Command(TranslatedCommand):
    help = "Write an assessment's report as PDF, Excel or JSON, in any of the interface languages."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int, metavar="ID")
        parser.add_argument("--format", choices=sorted(EXPORTERS), default="pdf")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE, help="en, fr, ar or zh-hans")
        parser.add_argument("-o", "--output", required=True, metavar="FILE")
        parser.add_argument(
            "--as-institution",
            action="store_true",
            help="apply the anonymity rules of institution users to the peer figures: the "
            "latest published release, per-figure suppression (default: the coordinating "
            "centre's live view, with named peers)",
        )

        parser.add_argument(
            "--group",
            metavar="CODE",
            help="the peer group the report compares with (all, region, country, type, size, "
            "similar), among those the audience may see; default: the first shown, 'all'",
        )

    def handle(
        self, *args, assessment_id, format, lang, output, as_institution, group=None, **options
    ):
        languages = [code for code, _name in settings.LANGUAGES]
        if lang not in languages:
            raise CommandError(
                _("--lang must be one of %(languages)s") % {"languages": ", ".join(languages)}
            )
        assessment = assessment_for_operator(assessment_id)
        # The command runs for an operator; it reads as the coordinating centre does, or,
        # with --as-institution, as the institution's own people do.
        audience = (
            Audience.institution(assessment.institution_id) if as_institution else Audience.centre()
        )
        with translation.override(lang):
            context = build_report_context(
                assessment=assessment, audience=audience, language=lang, group=group
            )
            refusal = group_refusal(context.benchmark, group) if group is not None else ""
        if refusal:
            raise CommandError(refusal)
        _filename, _content_type, content = EXPORTERS[format].render(context)
        path = Path(output)
        path.write_bytes(content)
        self.stdout.write(
            _("%(format)s report of assessment %(id)s (%(language)s) written to %(path)s")
            % {"format": format, "id": assessment_id, "language": lang, "path": path}
        )
