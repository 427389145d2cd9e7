"""Two app processes behind Debian's nginx, as ``make serve N=2`` runs them (deploy/serve.py and its template).

One PostgreSQL schema, one secret key (read by deploy.serve from a key file and handed to both processes), nginx
on a plain-HTTP and an HTTPS port (a self-signed certificate made with openssl). The configuration is the one a
deployment gets, plus an ``X-Upstream`` header naming the process that answered, so the tests can see where each
request went. Checked: the security headers; nginx refuses an oversized upload (413) and a burst of uploads (429);
health through the proxy; a sign-in in Chromium over HTTPS that survives a reload, with the page under the CSP; an
upload of a real return that lands in the database, its PUT on the same process as the page; two browsers on the
two processes. No timings are asserted.
"""
from __future__ import annotations

import http.client
import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from deploy import serve
from tests.browsing import ARTIFACTS, free_port, import_on_upload_page, settle
from tests.intake_files import JUNE, filled_template

KEY_FILE_NAME = "secret.key"
PASSWORD = "a long enough secret"
USER, DISPLAY = "sheng1", "省厅测试员"
ROUTE = "tracker_route"
#: The one violation the CSP is meant to cause: Long.js, in Streamlit's protobuf bundle, tries to compile a tiny
#: WebAssembly module for 64-bit arithmetic, and falls back to JavaScript when it may not.
LONG_JS_WASM = ("script-src wasm-eval ", "/static/js/protobuf.")

if not Path(serve.NGINX).exists():
    if os.environ.get("CI"):
        pytest.fail(f"{serve.NGINX} is missing in CI: make test installs it (make deploy-deps)",
                    pytrace=False)
    pytest.skip(f"{serve.NGINX} is missing: apt-get install nginx (make deploy-deps) to run the proxy tests",
                allow_module_level=True)


# ------------------------------------------------------------------------------------------------ rendering


def test_the_number_of_processes_is_decided_in_one_place(monkeypatch):
    assert serve.processes({"TRACKER_PROCESSES": "3"}) == 3
    assert serve.processes({}) == len(os.sched_getaffinity(0))
    with pytest.raises(ValueError):
        serve.processes({"TRACKER_PROCESSES": "0"})


def test_the_rendered_configuration_fills_the_template_and_nginx_accepts_the_tls_variant(tmp_path):
    """The production shape (``listen 443 ssl`` only, three processes) passes ``nginx -t``; the upload limit is the
    app's plus the margin."""
    cert, key = _certificate(tmp_path)
    conf = serve.render([8511, 8512, 8513], tmp_path / "ngx", listen=None, tls_listen="0.0.0.0:443", cert=cert,
                        key=key, server_name="tracker.intranet", upload_mb=10)
    assert "{{" not in conf and "listen 0.0.0.0:443 ssl;" in conf and "X-Upstream" not in conf
    assert conf.count("server 127.0.0.1:85") == 3 and "hash $tracker_route consistent;" in conf
    assert "client_max_body_size 11m;" in conf
    prefix = tmp_path / "ngx"
    for sub in ("tmp",):
        (prefix / sub).mkdir(parents=True)
    (prefix / "nginx.conf").write_text(conf)
    check = subprocess.run([serve.NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e",
                            str(prefix / "error.log"), "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    with pytest.raises(ValueError):
        serve.render([8511], tmp_path, listen=None)
    # processes on other machines, for a larger office's one nginx
    conf = serve.render(["10.0.0.5:8511", "10.0.0.6:8511"], tmp_path, upload_mb=10)
    assert "server 10.0.0.5:8511 max_fails=0;" in conf and "server 10.0.0.6:8511 max_fails=0;" in conf


# ------------------------------------------------------------------------------------------------ fixtures


def _certificate(directory: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is missing: make deploy-deps installs it")
    cert, key = directory / "proxy.crt", directory / "proxy.key"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory):
    """A PostgreSQL schema with the plans and regions, and one province account made with the CLI."""
    from tests.conftest import _new_url
    from tracker.store import init_database
    from tracker.store.db import get_engine

    url, drop = _new_url("postgresql", tmp_path_factory.mktemp("deploy-db"))
    engine = get_engine(url)
    init_database(engine)
    added = subprocess.run([sys.executable, "-m", "tracker.cli", "user", "add", USER, "--role", "province",
                            "--display", DISPLAY], input=PASSWORD + "\n", capture_output=True, text=True,
                           env={**os.environ, "TRACKER_DATABASE_URL": url})
    assert added.returncode == 0, added.stderr
    yield url
    engine.dispose()
    drop()


@pytest.fixture(scope="module")
def deployment(pg_url, tmp_path_factory):
    """Two app processes and nginx in front of them, on HTTP and HTTPS; what ``make serve N=2`` starts."""
    here = tmp_path_factory.mktemp("deploy")
    key_file = here / KEY_FILE_NAME
    env = serve.app_environment({**os.environ, "TRACKER_DATABASE_URL": pg_url,
                                 "TRACKER_SECRET_KEY_FILE": str(key_file)})
    env.pop("TRACKER_SECRET_KEY_FILE")
    # the key the app would have generated, read once and given to both processes
    assert env["TRACKER_SECRET_KEY"] == key_file.read_text().strip()
    cert, key = _certificate(here)
    ports = [free_port(), free_port()]
    http, https = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    conf = serve.render(ports, here / "nginx", listen=http, tls_listen=https, cert=cert, key=key,
                        expose_upstream=True)
    logs = ARTIFACTS / "deploy"
    logs.mkdir(parents=True, exist_ok=True)
    with serve.apps(ports, env, log_dir=logs), serve.nginx(conf, here / "nginx", url=f"http://{http}"):
        yield {"http": f"http://{http}", "https": f"https://{https}", "ports": ports, "cert": cert,
               "conf": conf, "prefix": here}


def _request(url: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None,
             cafile: Path | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names; repeated ones joined with newlines) and body."""
    context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as answer:
            status, head, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as refused:
        status, head = refused.code, refused.headers
        try:
            body = refused.read()
        except http.client.IncompleteRead as cut:  # the app refused before the whole upload was sent, and closed
            body = cut.partial
    joined: dict[str, str] = {}
    for name, value in head.items():
        joined[name.lower()] = f"{joined[name.lower()]}\n{value}" if name.lower() in joined else value
    return status, joined, body


def _upstream(base: str, route: str) -> str:
    _, head, _ = _request(base + "/_stcore/health", headers={"Cookie": f"{ROUTE}={route}"})
    return head["x-upstream"]


# ------------------------------------------------------------------------------------------------ HTTP


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_health_and_security_headers_through_the_proxy(deployment, scheme):
    status, head, body = _request(deployment[scheme] + "/_stcore/health", cafile=deployment["cert"])
    assert (status, body.strip()) == (200, b"ok")
    csp = head["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert head["x-frame-options"] == "DENY"
    assert head["x-content-type-options"] == "nosniff"
    assert head["referrer-policy"] == "same-origin"
    assert head["server"] == "nginx"  # no version
    route = next(c for c in head["set-cookie"].split("\n") if c.startswith(ROUTE + "="))
    assert "HttpOnly" in route and "SameSite=Strict" in route
    if scheme == "https":
        assert head["strict-transport-security"].startswith("max-age=") and "Secure" in route
    else:
        assert "strict-transport-security" not in head and "Secure" not in route
    # the app page carries them too, and the agent API is closed at the proxy
    status, head, _ = _request(deployment[scheme] + "/", cafile=deployment["cert"])
    assert status == 200 and head["x-frame-options"] == "DENY" and head["content-security-policy"] == csp
    assert _request(deployment[scheme] + "/_stcore/agent/openapi.json", cafile=deployment["cert"])[0] == 404


def test_an_oversized_upload_is_refused_by_nginx_and_one_within_the_limit_reaches_the_app(deployment):
    url = deployment["http"] + "/_stcore/upload_file/no-session/no-file"
    status, head, _ = _request(url, "PUT", b"x" * ((serve.max_upload_mb() + 1) * 1024 * 1024 + 1))
    assert status == 413 and head["x-frame-options"] == "DENY"
    assert "x-upstream" not in head or not head["x-upstream"]  # nginx answered; no process saw it
    # a file at the app's limit passes nginx (the app itself refuses this one: no session, no XSRF token)
    status, head, _ = _request(url, "PUT", b"x" * (serve.max_upload_mb() * 1024 * 1024))
    assert status not in (413, 429) and head["x-upstream"].rsplit(":", 1)[1] in map(str, deployment["ports"])


def test_a_burst_of_uploads_is_refused_by_the_rate_limit(deployment, tmp_path):
    """A second nginx with the same configuration (its own, fresh rate-limit zone) in front of the same
    processes, so the other tests' uploads do not count."""
    listen = f"127.0.0.1:{free_port()}"
    conf = serve.render(deployment["ports"], tmp_path / "nginx", listen=listen, expose_upstream=True)
    with serve.nginx(conf, tmp_path / "nginx", url=f"http://{listen}"):
        url = f"http://{listen}/_stcore/upload_file/no-session/no-file"
        statuses = [_request(url, "PUT", b"x")[0] for _ in range(serve.UPLOAD_BURST + 10)]
        assert 429 not in statuses[: serve.UPLOAD_BURST + 1], statuses  # the burst passes ...
        assert statuses.count(429) >= 8, statuses  # ... the rest is refused (a token comes back every 3 s)
        assert _request(f"http://{listen}/_stcore/health")[0] == 200  # other paths are not limited
    assert "limiting requests" in (tmp_path / "nginx" / "error.log").read_text()


def test_a_route_cookie_keeps_a_browser_on_one_process_and_routes_spread_over_both(deployment):
    base = deployment["http"]
    seen = {_upstream(base, f"route-{i}") for i in range(16)}
    assert seen == {f"127.0.0.1:{port}" for port in deployment["ports"]}
    for i in range(4):
        assert len({_upstream(base, f"route-{i}") for _ in range(5)}) == 1


# ------------------------------------------------------------------------------------------------ Chromium


@pytest.fixture(scope="module")
def browser():
    from tests.browsing import chromium

    with chromium() as instance:
        yield instance


class _Visit:
    """A browser context on the proxy that records where each page and upload went, CSP violations and requests
    that leave the machine."""

    def __init__(self, browser, base: str, route: str | None = None):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN",
                                           ignore_https_errors=True)
        if route:
            self.context.add_cookies([{"name": ROUTE, "value": route, "url": base}])
        self.context.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));")
        self.upstreams: dict[str, list[str]] = {"page": [], "upload": []}
        self.outside: list[str] = []
        self.context.on("response", self._response)
        self.context.on("request", lambda r: self.outside.append(r.url)
                        if not r.url.startswith((base, "data:", "blob:", "about:")) else None)
        self.page = self.context.new_page()

    def _response(self, response) -> None:
        kind = ("upload" if "/_stcore/upload_file/" in response.url
                else "page" if response.request.resource_type == "document" else None)
        if kind:
            self.upstreams[kind].append(response.headers.get("x-upstream", ""))

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base + path)
        settle(self.page)

    def violations(self) -> list[str]:
        return [v for v in self.page.evaluate("window.__csp")
                if not (v.startswith(LONG_JS_WASM[0]) and LONG_JS_WASM[1] in v)]

    def cookie(self, name: str, wait: float = 0.0) -> dict | None:
        """The browser's cookie ``name``; with ``wait``, polled that many seconds for one a page's script writes
        after the page has drawn (the sign-in cookie: the sidebar can show the user before it lands)."""
        deadline = time.monotonic() + wait
        while True:
            found = next((c for c in self.context.cookies() if c["name"] == name), None)
            if found is not None or time.monotonic() >= deadline:
                return found
            time.sleep(0.2)

    def sign_in(self) -> None:
        page = self.page
        page.get_by_label("用户名").fill(USER)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        settle(page)
        self.signed_in()

    def signed_in(self) -> None:
        self.page.locator('[data-testid="stSidebar"]').get_by_text(f"当前用户：{DISPLAY}").wait_for(timeout=30_000)

    def close(self) -> None:
        self.context.close()


@pytest.mark.browser
def test_sign_in_and_upload_in_chromium_over_https_through_the_proxy(deployment, browser, pg_url, tmp_path):
    from tracker.access.sessions import COOKIE
    from tracker.store.db import get_engine

    visit = _Visit(browser, deployment["https"])
    try:
        page = visit.page
        visit.open()
        page.get_by_role("button", name="登录").wait_for(timeout=30_000)
        route = visit.cookie(ROUTE)  # set by nginx on the first response
        assert route is not None and route["httpOnly"] and route["secure"]
        visit.sign_in()
        session = visit.cookie(COOKIE, wait=15)
        assert session is not None and session["secure"]  # written by the page's script, under the CSP
        page.reload()
        settle(page)
        visit.signed_in()  # the session is valid on reload
        page.screenshot(path=str(ARTIFACTS / "deploy-signed-in-https.png"), full_page=True)

        visit.open("/upload")
        page.get_by_role("heading", name="上报数据").wait_for(timeout=30_000)
        path = tmp_path / "绵阳2023年6月.xlsx"
        path.write_bytes(filled_template(figures=JUNE))
        import_on_upload_page(page, path)
        page.screenshot(path=str(ARTIFACTS / "deploy-upload-https.png"), full_page=True)

        with get_engine(pg_url).connect() as conn:
            assert conn.scalar(sa.text("select file_name from submissions")) == path.name
            assert conn.scalar(sa.text("select count(*) from reported_values")) == 54
        # every page and the upload's PUT went to one process: the one holding this browser's session
        assert visit.upstreams["upload"] and len(set(visit.upstreams["page"] + visit.upstreams["upload"])) == 1
        assert visit.violations() == []
        assert visit.outside == []
    finally:
        visit.close()


@pytest.mark.browser
def test_two_browsers_with_different_route_cookies_are_served_by_the_two_processes(deployment, browser):
    """The second browser's route is one that hashes to the other process (found by asking the proxy); both
    sign in, each on its own process, each valid on reload there."""
    base = deployment["http"]
    by_upstream: dict[str, str] = {}
    for i in range(32):
        by_upstream.setdefault(_upstream(base, f"browser-{i}"), f"browser-{i}")
    assert len(by_upstream) == 2
    visits = [_Visit(browser, base, route) for route in by_upstream.values()]
    try:
        for visit in visits:
            visit.open()
            visit.sign_in()
            visit.page.reload()
            settle(visit.page)
            visit.signed_in()
        # the map page too: its map draws in a worker made from a blob: URL (worker-src)
        page = visits[0].page
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="地图").click()
        page.locator('[data-testid="stPlotlyChart"] canvas.maplibregl-canvas').first.wait_for(timeout=30_000)
        settle(page)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "deploy-map.png"))
        for visit in visits:
            assert visit.violations() == [] and visit.outside == []
        served = [set(visit.upstreams["page"]) for visit in visits]
        assert served == [{upstream} for upstream in by_upstream]
    finally:
        for visit in visits:
            visit.close()
