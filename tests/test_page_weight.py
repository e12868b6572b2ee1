"""Page weight on slow, metered connections, over the main pages with the demo data.

The HTML of each page is compressed by the application (GZipMiddleware) and weighs at most
60 KB compressed; the site's CSS and JavaScript together at most 100 KB compressed; and no
page makes the browser fetch anything from another host (links people follow may go anywhere).
"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from qa_tool.institutions.models import User

from .main_pages import main_pages

ROOT = Path(__file__).resolve().parents[1]
HTML_LIMIT = 60 * 1024
STATIC_LIMIT = 100 * 1024
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")


class Fetched(HTMLParser):
    """The addresses a browser fetches on loading the page (not the links a person follows)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        names = {"link": ("href",), "object": ("data",), "video": ("poster",)}.get(
            tag, ("src", "srcset")
        )
        for name in names:
            if values.get(name):
                self.urls.extend(
                    part.split()[0] for part in values[name].split(",") if part.strip()
                )
        if values.get("style"):
            self.urls.extend(CSS_URL.findall(values["style"]))


def fetched(html: str) -> list[str]:
    parser = Fetched()
    parser.feed(html)
    return parser.urls


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
    User.objects.update(language=language)  # signed-in people see their own language
    problems = []
    clients: dict[object, Client] = {}
    for item in pages:
        client = clients.get(item.user)
        if client is None:
            client = clients[item.user] = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.cookies["django_language"] = language
            if item.user is not None:
                client.force_login(item.user)
        response = client.get(item.path, HTTP_ACCEPT_ENCODING="gzip, deflate, br", follow=True)
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
            f"{item.name}: refers to another host: {url}" for url in other_hosts(fetched(html))
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


def test_fetched_addresses_exclude_links_people_follow():
    html = (
        '<link rel="stylesheet" href="https://cdn.example/a.css"><script src="//cdn.example/b.js">'
        '</script><img srcset="https://img.example/c.png 2x, /static/d.png 1x">'
        '<a href="https://lms.example.edu/course">course</a><form action="https://x.example/"></form>'
    )
    assert other_hosts(fetched(html)) == [
        "https://cdn.example/a.css",
        "//cdn.example/b.js",
        "https://img.example/c.png",
    ]
