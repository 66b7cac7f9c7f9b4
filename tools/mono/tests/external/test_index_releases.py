"""Release files from a simple index: the JSON form (PEP 691) and the HTML one (PEP 503, 592)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from mono.errors import IndexUnreachable
from mono.external.index import ReleaseFile, project_files, release_files

HTML = """<!DOCTYPE html><html><body>
<a href="../../files/six-1.16.0.tar.gz#sha256=ab">six-1.16.0.tar.gz</a>
<a href="../../files/six-1.17.0-py2.py3-none-any.whl#sha256=cd" data-requires-python="&gt;=3.8">whl</a>
<a href="../../files/six-1.18.0.tar.gz" data-yanked="broken">six-1.18.0.tar.gz</a>
</body></html>"""

JSON = {
    "meta": {"api-version": "1.1"},
    "name": "idna",
    "files": [
        {"filename": "idna-3.7.tar.gz", "yanked": False, "requires-python": ">=3.5"},
        {"filename": "idna-3.8.tar.gz", "yanked": "bad upload", "requires-python": None},
    ],
}


class _Index(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/simple/six/":
            body, kind = HTML.encode(), "text/html"
        elif self.path == "/simple/idna/" and "json" in self.headers.get("Accept", ""):
            body, kind = json.dumps(JSON).encode(), "application/vnd.pypi.simple.v1+json"
        elif self.path == "/simple/broken/":
            body, kind = b"{not json", "application/vnd.pypi.simple.v1+json"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def simple_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    server.shutdown()
    server.server_close()


def test_the_html_form_gives_names_yanked_files_and_python(simple_url: str) -> None:
    assert release_files(simple_url, "six", "pypi") == [
        ReleaseFile("six-1.16.0.tar.gz"),
        ReleaseFile("six-1.17.0-py2.py3-none-any.whl", requires_python=">=3.8"),
        ReleaseFile("six-1.18.0.tar.gz", yanked=True),
    ]
    assert project_files(simple_url + "/", "six", "pypi")[0] == "six-1.16.0.tar.gz"


def test_the_json_form_is_asked_for_and_read(simple_url: str) -> None:
    assert release_files(simple_url, "idna", "pypi") == [
        ReleaseFile("idna-3.7.tar.gz", requires_python=">=3.5"),
        ReleaseFile("idna-3.8.tar.gz", yanked=True),
    ]


def test_an_unknown_package_has_no_files_and_nonsense_is_failed_work(simple_url: str) -> None:
    assert release_files(simple_url, "nothing-here", "pypi") == []
    with pytest.raises(IndexUnreachable, match="not a simple-API page") as raised:
        release_files(simple_url, "broken", "pypi")
    assert raised.value.exit_code == 1
