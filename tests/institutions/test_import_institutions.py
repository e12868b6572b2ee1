"""import_institutions: create or update by code, all rows or none, a message per bad row."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qa_tool.institutions.models import Institution

from ..factories import InstitutionFactory

HEADER = "code,name,country,region,type,size\n"


def run(tmp_path, text):
    path = tmp_path / "institutions.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command("import_institutions", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return None, err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


@pytest.mark.django_db
def test_creates_and_updates_by_code(tmp_path):
    InstitutionFactory(code="KE-01", name="Old name", size_band="small")
    out, _, error = run(
        tmp_path,
        HEADER
        + "KE-01,New name,KE,east-africa,public,25000\n"
        + "EG-02,Nile Test University,Egypt,North Africa,private,medium\n"
        + 'CN-03,"Jade Test University, Campus B",chn,east-asia,Public,very-large\n',
    )
    assert error is None
    assert out.strip() == "2 created, 1 updated, 0 unchanged"
    updated = Institution.objects.get(code="KE-01")
    assert updated.name == "New name" and updated.size_band == "large"
    egypt = Institution.objects.get(code="EG-02")
    assert egypt.country.code == "EG" and egypt.region == "north-africa" and egypt.type == "private"
    china = Institution.objects.get(code="CN-03")
    assert china.name == "Jade Test University, Campus B" and china.country.code == "CN"


@pytest.mark.django_db
def test_running_twice_changes_nothing(tmp_path):
    text = HEADER + "KE-01,Test,KE,east-africa,public,small\n"
    run(tmp_path, text)
    out, _, _ = run(tmp_path, text)
    assert out.strip() == "0 created, 0 updated, 1 unchanged"


@pytest.mark.django_db
def test_bad_rows_are_all_reported_and_nothing_is_saved(tmp_path):
    InstitutionFactory(code="KE-01", name="Keep me")
    _, err, error = run(
        tmp_path,
        HEADER
        + "KE-01,Renamed,KE,east-africa,public,small\n"
        + "XX-02,Nowhere,ZZ,east-africa,public,small\n"
        + "XX-03,Odd,KE,atlantis,state,huge\n"
        + ",No code,KE,east-africa,public,small\n"
        + "KE-01,Twice,KE,east-africa,public,small\n",
    )
    assert "nothing was changed" in error
    assert "line 3 (XX-02): country: 'ZZ' is not an ISO 3166 country code or name" in err
    assert "line 4 (XX-03): region: 'atlantis' is not one of" in err
    assert "line 4 (XX-03): type: 'state' is not one of public, private, other" in err
    assert "line 4 (XX-03): size: 'huge' is not one of" in err
    assert "line 5: code: required" in err
    assert "line 6 (KE-01): code: KE-01 appears again (first on line 2)" in err
    assert Institution.objects.get(code="KE-01").name == "Keep me"
    assert Institution.objects.count() == 1


@pytest.mark.django_db
def test_missing_columns(tmp_path):
    _, err, error = run(tmp_path, "code,name,country\nKE-01,Test,KE\n")
    assert "header: missing column(s) region, type, size" in err
    assert error


@pytest.mark.django_db
def test_optional_delivery_mode_column(tmp_path):
    out, _, error = run(
        tmp_path,
        "code,name,country,region,type,size,delivery_mode\nKE-01,Test,KE,east-africa,public,small,online\n",
    )
    assert Institution.objects.get(code="KE-01").delivery_mode == "online"
    assert error is None and "1 created" in out
