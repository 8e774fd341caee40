"""The test server stands in for the host: 404s, gzip for text, bytes counted."""

import gzip
import urllib.error
import urllib.request

import pytest

from tests.helpers.server import CountingHandler, serve


def fetch(url: str, **headers: str):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as reply:
        return reply.headers, reply.read()


def test_a_missing_file_is_a_404(tmp_path):
    with serve(tmp_path) as url, pytest.raises(urllib.error.HTTPError) as error:
        fetch(url + "missing.html")
    assert error.value.code == 404


def test_text_is_gzipped_for_a_browser_that_accepts_it_and_counted(tmp_path):
    page = "<p>" + "tensor " * 2000 + "</p>"
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(page)
    (tmp_path / "digit.png").write_bytes(b"\x89PNG" + bytes(4000))
    with serve(tmp_path) as url:
        before = CountingHandler.sent
        headers, body = fetch(url + "page/", **{"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body).decode() == page
        assert len(body) < len(page) / 10
        assert CountingHandler.sent - before > len(body)  # headers counted too
        assert CountingHandler.served[-1] == ("/page/", CountingHandler.sent - before)
        headers, body = fetch(url + "page/")
        assert headers["Content-Encoding"] is None and body.decode() == page
        headers, body = fetch(url + "digit.png", **{"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] is None and len(body) == 4004
