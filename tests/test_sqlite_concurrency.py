"""SQLite under concurrent saves: real requests to a real multi-process server.

Two officers save the same step at the same moment, twenty times. With SQLite configured
for a web server (immediate transactions, a busy timeout, WAL; see settings.py) each save
either succeeds or is refused as a conflict (HTTP 409); it is never "database is locked"
(HTTP 500). The server runs on its own SQLite file whatever database the suite uses.
"""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 20

SETUP = """
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_start
from qa_tool.institutions.models import Role
from tests.factories import CycleFactory, InstitutionFactory, UserFactory, import_doc
home = InstitutionFactory(code="HOME", name="Home University")
for name in ("amina", "bashir"):
    UserFactory(username=name, role=Role.OFFICER, institution=home)
assessment, _ = assessment_start(
    institution=home, rubric_version=import_doc(), cycle=CycleFactory(name="2026")
)
assessment_save_answers(assessment=assessment, answers={"C1": AnswerInput(value=3)})
print(assessment.pk)
"""


class _FormFields(HTMLParser):
    """The wizard form's fields as a browser would post them (no JavaScript needed)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.forms[-1].append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1].append((a["name"], ""))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1].append((self._select, a.get("value") or ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, value = self.forms[-1][-1]
            self.forms[-1][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Officer:
    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.get("/login/")
        self.post("/login/", [("username", username), ("password", "pw-for-tests")])

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields, headers=None) -> int:
        body = urllib.parse.urlencode([*fields, ("csrfmiddlewaretoken", self.csrf())]).encode()
        request = urllib.request.Request(  # noqa: S310 (a loopback http URL built here)
            self.base + path,
            data=body,
            headers={"Referer": self.base + path, **(headers or {})},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def step_form(self, path: str) -> list[tuple[str, str]]:
        parser = _FormFields()
        parser.feed(self.get(path))
        form = next(f for f in parser.forms if any(n.endswith("-C1-justification") for n, _ in f))
        return [(n, v) for n, v in form if n != "csrfmiddlewaretoken"]


@pytest.fixture
def server(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        QA_DATA_DIR=str(tmp_path),
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="qa_tool.settings",
        QA_PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    assessment_id = subprocess.run(
        [*manage, "shell", "-c", SETUP],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    port = _free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "qa_tool.wsgi", "-b", f"127.0.0.1:{port}"),
            *("--workers", "2", "--threads", "4", "--log-level", "warning"),
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", int(assessment_id)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _race(officers: list[_Officer], step: str, round_: int) -> list[int]:
    """Both officers load the step, then post the same criterion changed at the same moment."""
    forms = [officer.step_form(step) for officer in officers]
    barrier = threading.Barrier(len(officers))
    statuses = [0] * len(officers)

    def save(index: int) -> None:
        fields = [
            (name, f"Round {round_} by {index}" if name.endswith("-C1-justification") else v)
            for name, v in forms[index]
        ]
        barrier.wait()
        statuses[index] = officers[index].post(
            step, [*fields, ("save_draft", "1")], headers={"X-Autosave": "1"}
        )

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(officers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_concurrent_saves_of_one_step_answer_200_or_409_never_500(server):
    base, assessment_id = server
    step = f"/assessments/{assessment_id}/fill/D1/"
    officers = [_Officer(base, "amina"), _Officer(base, "bashir")]
    outcomes = [_race(officers, step, round_) for round_ in range(ROUNDS)]
    assert all(status in (200, 409) for pair in outcomes for status in pair), outcomes
    # Both loaded the same revision and changed the same criterion: one wins, one is told.
    assert all(pair == [200, 409] for pair in outcomes), outcomes
