"""Page weight on slow, metered connections, over the main pages with the demo data.

The HTML of each page is compressed by the application (GZipMiddleware) and weighs at most
60 KB compressed; the site's CSS and JavaScript together at most 100 KB compressed; and no
page refers to another host (everything is served by the application itself).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from .main_pages import main_pages

ROOT = Path(__file__).resolve().parents[1]
HTML_LIMIT = 60 * 1024
STATIC_LIMIT = 100 * 1024
# Attributes that make a browser fetch something (links followed by a person, <a href> and
# form actions, are not fetched on load but are checked too: none may leave the site).
URL_ATTRIBUTE = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']+)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")


def other_hosts(urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        parts = urlsplit(url.strip())
        if parts.netloc and parts.netloc not in ("testserver",):
            found.append(url)
    return found


@pytest.fixture
def demo(db):
    call_command(
        "import_rubric",
        *sorted(map(str, (ROOT / "rubrics" / "library").glob("*.yaml"))),
        verbosity=0,
    )
    call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_main_pages_are_compressed_light_and_local(demo, language):
    pages = main_pages()
    problems = []
    clients: dict[object, Client] = {}
    for item in pages:
        client = clients.get(item.user)
        if client is None:
            client = clients[item.user] = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.cookies["django_language"] = language
            if item.user is not None:
                client.force_login(item.user)
        response = client.get(item.path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        if response.status_code != 200:
            problems.append(f"{item.name}: HTTP {response.status_code}")
            continue
        if response.headers.get("Content-Encoding") != "gzip":
            problems.append(f"{item.name}: HTML not compressed")
            continue
        size = len(response.content)
        if size > HTML_LIMIT:
            problems.append(f"{item.name}: {size / 1024:.1f} KB of compressed HTML")
        html = gzip.decompress(response.content).decode()
        problems.extend(
            f"{item.name}: refers to another host: {url}"
            for url in other_hosts(URL_ATTRIBUTE.findall(html))
        )
    assert not problems, "\n".join(problems)


def test_css_and_javascript_weigh_little_and_stay_local():
    total = 0
    problems = []
    for name in ("qa_tool/site.css", "qa_tool/wizard.js"):
        path = finders.find(name)
        assert path, name
        text = Path(path).read_bytes()
        total += len(gzip.compress(text, compresslevel=9))
        if name.endswith(".css"):
            problems.extend(other_hosts(CSS_URL.findall(text.decode())))
    assert total <= STATIC_LIMIT, f"{total / 1024:.1f} KB of compressed CSS and JavaScript"
    assert not problems


@pytest.mark.django_db
def test_the_html_is_compressed_with_length_randomisation(client):
    """GZipMiddleware pads compressed responses at random (BREACH): two fetches differ in size."""
    sizes = {len(client.get("/login/", HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(8)}
    assert len(sizes) > 1
