"""Management commands print in settings.LANGUAGE_CODE, or in the language of --lang."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation


def test_assessment_score_prints_its_table_in_french(assessment):
    out = StringIO()
    call_command("assessment_score", str(assessment.pk), "--lang", "fr", stdout=out)
    table = out.getvalue()
    assert "Taux de remplissage" in table and "Domaine" in table and "Critère" in table
    assert "Completion" not in table
    assert translation.get_language() == "en"  # the command's language does not leak


def test_commands_default_to_the_site_language(assessment, settings):
    out = StringIO()
    call_command("assessment_score", str(assessment.pk), stdout=out)
    assert "Completion" in out.getvalue()
    settings.LANGUAGE_CODE = "fr"
    out = StringIO()
    call_command("assessment_score", str(assessment.pk), stdout=out)
    assert "Taux de remplissage" in out.getvalue()


def test_import_refusal_is_counted_in_the_chosen_language(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name,country,region,type,size\n,X,Atlantis,mars,public,small\n")
    err = StringIO()
    with translation.override("fr"), pytest.raises(CommandError) as refused:
        call_command("import_institutions", str(path), "--lang", "fr", stderr=err)
    count = len(err.getvalue().splitlines())
    assert count == 3
    with translation.override("fr"):
        expected = translation.ngettext(
            "%(count)s problem found; %(nothing_done)s.",
            "%(count)s problems found; %(nothing_done)s.",
            count,
        ) % {"count": count, "nothing_done": translation.gettext("nothing was changed")}
    assert str(refused.value) == expected
    assert "line 2" in err.getvalue() or "ligne 2" in err.getvalue()


def test_unknown_language_is_refused(db):
    with pytest.raises(CommandError):
        call_command("refresh_score_summaries", "--lang", "xx")
