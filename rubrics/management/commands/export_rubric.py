import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qa_tool.core.commands import ImportCommand
from rubrics.document import RubricFileError, dump_yaml, to_file_document
from rubrics.models import RubricVersion
from rubrics.spreadsheet import rubric_workbook


class Command(ImportCommand):  # for refuse(): a workbook refused lists every cell
    help = (
        "Write a rubric version to a YAML file (or .json, or an .xlsx workbook) that imports "
        "back to the same rubric."
    )

    nothing_done = gettext_lazy("nothing was written")

    def add_base_argument(self, parser, *args, **kwargs):
        # --version names the rubric version here, not Django's.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--version", dest="rubric_version", help="default: the latest imported")
        parser.add_argument("-o", "--output", required=True, metavar="FILE")

    def handle(self, *args, slug, rubric_version, output, **options):
        versions = RubricVersion.objects.filter(rubric__slug=slug).order_by("-imported_at", "-pk")
        if rubric_version:
            versions = versions.filter(version=rubric_version)
        version = versions.first()
        if version is None:
            if rubric_version:
                raise CommandError(
                    _("no rubric %(slug)s version %(version)s")
                    % {"slug": slug, "version": rubric_version}
                )
            raise CommandError(_("no rubric %(slug)s") % {"slug": slug})
        path = Path(output)
        if path.suffix.lower() == ".xlsx":
            try:
                data = rubric_workbook(
                    version.content, language=translation.get_language(), source=path.name
                )
            except RubricFileError as exc:
                raise self.refuse(exc) from None
            path.write_bytes(data)
        else:
            if path.suffix.lower() == ".json":
                text = json.dumps(to_file_document(version.content), ensure_ascii=False, indent=2)
            else:
                text = dump_yaml(version.content)
            path.write_text(text, encoding="utf-8")
        self.stdout.write(
            _("%(slug)s %(version)s written to %(path)s")
            % {"slug": slug, "version": version.version, "path": path}
        )
