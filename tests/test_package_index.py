"""Fetching the pinned corpus archive through the package index (rnnlab.package_index):
PEP 691 JSON and PEP 503 HTML pages, served here by a local index, checked by hash."""

import hashlib
import http.server
import json
import threading
import time

import pytest

from rnnlab import package_index
from rnnlab.errors import ChecksumMismatchError, CorpusUnavailableError

ARCHIVE = b"the bytes of a pinned archive"
PIN = hashlib.sha256(ARCHIVE).hexdigest()
NAME = "tiny_corpus-1.0.tar.gz"


class _Index(http.server.BaseHTTPRequestHandler):
    """An index holding one project, "tiny-corpus"; ``json_api`` says whether it speaks
    PEP 691 or only PEP 503's HTML."""

    json_api = True
    accepts: list = []
    logins: list = []

    def do_GET(self):
        type(self).accepts.append(self.headers.get("Accept", ""))
        type(self).logins.append(self.headers.get("Authorization"))
        if self.path == "/simple/tiny-corpus/":
            if self.json_api:
                body = json.dumps({"meta": {"api-version": "1.0"}, "name": "tiny-corpus",
                                   "files": [{"filename": NAME, "url": f"/files/{NAME}",
                                              "hashes": {"sha256": PIN}}]}).encode()
                kind = package_index.JSON_TYPE
            else:  # a relative link with a hash fragment, as PyPI's HTML pages have
                body = f'<html><body><a href="../../files/{NAME}#sha256={PIN}">{NAME}</a>' \
                       "</body></html>".encode()
                kind = "text/html"
        elif self.path == "/links/":  # a find-links page: plain links to files
            body, kind = f'<a href="/files/{NAME}">{NAME}</a>'.encode(), "text/html"
        elif self.path == f"/files/{NAME}":
            body, kind = ARCHIVE, "application/octet-stream"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(params=[True, False], ids=["pep691-json", "pep503-html"])
def index(request):
    handler = type("Handler", (_Index,), {"json_api": request.param, "accepts": [],
                                          "logins": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/simple", handler
    server.shutdown()


def test_downloads_the_pinned_file_through_either_api(index):
    url, handler = index
    config = package_index.IndexConfig(index_urls=[url])
    assert package_index.download("Tiny_Corpus", NAME, PIN, config) == ARCHIVE
    assert package_index.JSON_TYPE in handler.accepts[0]  # JSON asked for first


def test_a_file_that_is_not_the_pinned_one_is_refused(index):
    url, _ = index
    config = package_index.IndexConfig(index_urls=[url])
    with pytest.raises(ChecksumMismatchError, match=f"{NAME} from .* not the pinned"):
        package_index.download("tiny-corpus", NAME, "0" * 64, config)


def test_every_index_tried_is_named_when_none_has_it(index):
    url, _ = index
    config = package_index.IndexConfig(index_urls=["http://127.0.0.1:9/simple", url])
    with pytest.raises(CorpusUnavailableError) as info:
        package_index.download("tiny-corpus", "other-2.0.tar.gz", PIN, config)
    message = str(info.value)
    assert "127.0.0.1:9/simple (" in message and f"{url} (no such file)" in message
    assert "offline?" in message


def test_local_indexes_and_find_links_folders(tmp_path):
    page = tmp_path / "simple" / "tiny-corpus"
    page.mkdir(parents=True)
    (tmp_path / NAME).write_bytes(ARCHIVE)
    (page / "index.html").write_text(f'<a href="../../{NAME}">{NAME}</a>')
    local = package_index.IndexConfig(index_urls=[(tmp_path / "simple").as_uri()])
    assert package_index.download("tiny-corpus", NAME, PIN, local) == ARCHIVE
    links = package_index.IndexConfig(index_urls=[], find_links=[str(tmp_path)])
    assert package_index.download("tiny-corpus", NAME, PIN, links) == ARCHIVE


def test_pip_settings_decide_the_indexes():
    config = package_index.index_config({"index-url": "https://mirror.example/simple",
                                         "extra-index-url": "https://a/simple https://b/simple",
                                         "cert": "/etc/bundle.pem"})
    assert config.index_urls == ["https://mirror.example/simple", "https://a/simple",
                                 "https://b/simple"]
    assert config.cert == "/etc/bundle.pem"
    assert package_index.index_config({}).index_urls == [package_index.PYPI]
    assert package_index.index_config({"no-index": "1"}).index_urls == []
    with pytest.raises(CorpusUnavailableError, match="pip has no index"):
        package_index.download("tiny-corpus", NAME, PIN, package_index.IndexConfig([]))


def test_pip_config_is_read_with_the_environment_first(monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", "https://from-the-environment.example/simple")
    settings = package_index._pip_settings()
    assert settings["index-url"] == "https://from-the-environment.example/simple"


def test_a_login_in_the_index_url_is_sent_as_a_header_and_never_shown(index):
    import base64

    url, handler = index
    private = url.replace("http://", "http://reader:s3cret@")
    config = package_index.IndexConfig(index_urls=[private])
    assert package_index.download("tiny-corpus", NAME, PIN, config) == ARCHIVE
    expected = "Basic " + base64.b64encode(b"reader:s3cret").decode()
    assert handler.logins == [expected, expected]  # the page and the file
    with pytest.raises(ChecksumMismatchError) as info:
        package_index.download("tiny-corpus", NAME, "0" * 64, config)
    assert "s3cret" not in str(info.value) and "reader:***@" in str(info.value)


def test_find_links_pages_and_percent_encoded_folders(index, tmp_path):
    url, _ = index
    page = url.replace("/simple", "/links/")
    links = package_index.IndexConfig(index_urls=[], find_links=[page])
    assert package_index.download("tiny-corpus", NAME, PIN, links) == ARCHIVE
    folder = tmp_path / "a folder"
    folder.mkdir()
    (folder / NAME).write_bytes(ARCHIVE)
    as_url = package_index.IndexConfig(index_urls=[], find_links=[folder.as_uri()])
    assert "%20" in folder.as_uri()
    assert package_index.download("tiny-corpus", NAME, PIN, as_url) == ARCHIVE


def test_settings_written_over_several_lines_are_split(tmp_path, monkeypatch):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nextra-index-url =\n    https://a.example/simple\n"
                    "    https://b.example/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    for name in ("PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)
    config = package_index.index_config()
    assert config.index_urls == [package_index.PYPI, "https://a.example/simple",
                                 "https://b.example/simple"]


class _Odd(http.server.BaseHTTPRequestHandler):
    """An index that serves ``pages[path] = (content type, body)``; a body that is an int
    n is a file of n bytes trickled with ``trickle_s`` between bytes (a slow server)."""

    pages: dict = {}
    trickle_s = 0.0

    def do_GET(self):
        if self.path not in self.pages:
            self.send_error(404)
            return
        kind, body = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if isinstance(body, int):
            self.send_header("Content-Length", str(body))
            self.end_headers()
            try:
                for _ in range(body if self.trickle_s else 0):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(self.trickle_s)
            except OSError:
                pass
            return
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def odd_index():
    servers = []

    def serve(pages, trickle_s=0.0):
        handler = type("Handler", (_Odd,), {"pages": pages, "trickle_s": trickle_s})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server in servers:
        server.shutdown()


def json_page(body) -> tuple:
    return package_index.JSON_TYPE, body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.mark.parametrize("page", [
    [], {"files": None}, {"files": "<string>"}, {"files": [1, 2]},
    {"files": [{"filename": NAME, "url": 5}]}, {"files": [{"filename": [NAME], "url": "/f"}]},
    b"[" * 200_000 + b"]" * 200_000,
], ids=["list", "null", "string", "ints", "numeric-url", "list-filename", "deep"])
def test_a_json_page_of_another_shape_is_skipped_for_the_next_index(odd_index, page):
    """Each shape is named among the places tried, and a good extra index after it is
    still used (before, a TypeError or RecursionError stopped the fetch)."""
    bad = odd_index({"/simple/tiny-corpus/": json_page(page)})
    good = odd_index({"/simple/tiny-corpus/": json_page(
        {"files": [{"filename": NAME, "url": "/f"}]}), "/f": ("application/x-tar", ARCHIVE)})
    config = package_index.IndexConfig(index_urls=[f"{bad}/simple", f"{good}/simple"])
    assert package_index.download("tiny-corpus", NAME, PIN, config) == ARCHIVE
    with pytest.raises(CorpusUnavailableError, match="JSON page"):
        package_index.download("tiny-corpus", NAME, PIN,
                               package_index.IndexConfig(index_urls=[f"{bad}/simple"]))


def test_a_file_longer_than_the_pinned_size_is_refused_before_it_is_read(odd_index):
    url = odd_index({"/simple/tiny-corpus/": json_page(
        {"files": [{"filename": NAME, "url": "/f"}]}), "/f": ("application/x-tar", 3 * 2**30)})
    config = package_index.IndexConfig(index_urls=[f"{url}/simple"])
    with pytest.raises(CorpusUnavailableError, match="3,221,225,472 bytes, more than the 29"):
        package_index.download("tiny-corpus", NAME, PIN, config, size=len(ARCHIVE))


def test_a_remote_page_never_sends_the_download_to_a_local_file(odd_index):
    url = odd_index({"/simple/tiny-corpus/": (
        "text/html", f'<a href="file:///dev/zero">{NAME}</a>'.encode())})
    config = package_index.IndexConfig(index_urls=[f"{url}/simple"])
    with pytest.raises(CorpusUnavailableError, match="no such file"):
        package_index.download("tiny-corpus", NAME, PIN, config)


def test_a_trickling_server_is_given_up_on(odd_index, monkeypatch):
    monkeypatch.setattr(package_index, "FILE_DEADLINE_S", 1.0)
    url = odd_index({"/simple/tiny-corpus/": json_page(
        {"files": [{"filename": NAME, "url": "/f"}]}), "/f": ("application/x-tar", 200)},
        trickle_s=0.05)
    config = package_index.IndexConfig(index_urls=[f"{url}/simple"])
    started = time.monotonic()
    with pytest.raises(CorpusUnavailableError, match="took more than 1 s"):
        package_index.download("tiny-corpus", NAME, PIN, config)
    assert time.monotonic() - started < 8


def test_no_index_is_read_as_pip_reads_it():
    for yes in ("y", "t", "TRUE", "on", "1"):
        assert package_index.index_config({"no-index": yes}).index_urls == []
    for no in ("n", "f", "false", "off", "0", ""):
        assert package_index.index_config({"no-index": no}).index_urls == [package_index.PYPI]
    with pytest.raises(CorpusUnavailableError, match="no-index: expected yes or no.*'maybe'"):
        package_index.index_config({"no-index": "maybe"})


def test_a_pip_configuration_pip_cannot_read_stops_the_fetch(tmp_path, monkeypatch):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global\nindex-url = https://mirror.example/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    with pytest.raises(CorpusUnavailableError, match="pip could not read its configuration"):
        package_index.index_config()


def test_without_pip_the_environment_still_names_the_index(monkeypatch, tmp_path):
    (tmp_path / "pip").mkdir()
    (tmp_path / "pip" / "__init__.py").write_text("raise ImportError('No module named pip')")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # a pip that cannot be imported
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    with pytest.warns(UserWarning, match="pip could not be run"):
        config = package_index.index_config()
    assert config.index_urls == ["https://mirror.example/simple"]


def test_a_relative_find_links_folder_is_read_from_here(tmp_path, monkeypatch):
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / NAME).write_bytes(ARCHIVE)
    monkeypatch.chdir(tmp_path)
    links = package_index.IndexConfig(index_urls=[], find_links=["wheels"])
    assert package_index.download("tiny-corpus", NAME, PIN, links) == ARCHIVE
