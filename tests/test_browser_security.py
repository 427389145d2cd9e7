"""The penetration test's findings (#13) in a real browser.

- Stored text drawn as Markdown made readers' browsers fetch a remote address: an image planted in every stored
  text field (display names, uploader names, a measure's note and evidence file name, return and reopen reasons,
  an upload's file and sheet names) is shown on every page, and a local HTTP server standing in for the remote
  host records no request.
- Evidence files were served at ``/media/<hash>`` to anyone while the server held them: now they reach the media
  store only when an allowed user clicks.
- A deep link as the first request after a restart showed a ``StopIteration`` traceback; a page error now shows one
  line with an id that the server log also holds.
"""
from __future__ import annotations

import http.server
import io
import re
import threading
import urllib.error
import urllib.request
import zipfile
from xml.sax.saxutils import quoteattr

import pytest

from tests.browsing import ARTIFACTS, READY, free_port, landing_heading, new_page, running_app, settle
from tests.intake_files import JUNE, MAY, MIANYANG, good_rows, xlsx
from tracker.access.roles import Actor

pytestmark = pytest.mark.browser

PASSWORD = "a long enough secret"
KEY = "security-test-secret-key-" + "y" * 20
EVIDENCE = b"%PDF-1.4 minutes of the meeting, not for the public"


class Recorder(http.server.ThreadingHTTPServer):
    """A stand-in for the attacker's host: answers every GET with a 1×1 GIF and remembers the path."""

    def __init__(self):
        self.requests: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                recorder.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", free_port()), Handler)


@pytest.fixture(scope="module")
def recorder():
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def planted(recorder: Recorder, tag: str) -> str:
    """Markdown (and HTML) that fetches from the recorder if drawn unescaped; ``tag`` says which field leaked."""
    base = f"http://127.0.0.1:{recorder.server_address[1]}"
    return f"![x]({base}/{tag}.png)<img src='{base}/{tag}-html.png'>"


def _with_sheet_name(data: bytes, name: str) -> bytes:
    """An .xlsx whose only sheet is called ``name``: Excel forbids ``[ ] : / ?`` in sheet names, a crafted file
    does not care, and the reader (calamine) takes the name from xl/workbook.xml as written."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = re.sub(rb'name="[^"]*"', b"name=" + quoteattr(name).encode("utf-8"), content, count=1)
            target.writestr(item, content)
    return out.getvalue()


@pytest.fixture(scope="module")
def planted_db(recorder, tmp_path_factory):
    """A SQLite database whose every stored text field carries a planted image."""
    from loaders.plans import load_plans
    from tests.intake_files import ctx
    from tracker.access.accounts import add_user
    from tracker.intake.milestones import Evidence, set_status
    from tracker.intake.submissions import import_file
    from tracker.model.status import load_config
    from tracker.review import approval
    from tracker.store import init_database
    from tracker.store.db import get_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('planted') / 'tracker.db'}"
    engine = get_engine(url)
    init_database(engine)
    root = Actor("root", "admin")
    add_user(engine, root, "admin1", PASSWORD, "admin", display_name=planted(recorder, "admin-display-name"))
    uploader = planted(recorder, "prefecture-display-name")
    add_user(engine, root, "mianyang", PASSWORD, "prefecture", MIANYANG, uploader)
    prefecture = Actor("mianyang", "prefecture", MIANYANG, uploader)
    admin = Actor("admin1", "admin", None, planted(recorder, "admin-display-name"))
    c = ctx()

    def upload(figures, period: str, tag: str) -> int:
        label = f"{period[:4]}年{int(period[5:])}月"
        data = _with_sheet_name(xlsx(good_rows(figures, period_label=label)), planted(recorder, f"{tag}-sheet"))
        outcome = import_file(engine, data, planted(recorder, f"{tag}-file") + ".xlsx", c["plan"], c["tree"],
                              c["scopes"], c["checks"], uploader=uploader, period=period, prefecture=MIANYANG,
                              actor=prefecture, accept_warnings=True)
        assert outcome.status == "imported", [(p.code, p.cell) for p in outcome.problems]
        return outcome.submissions[0]

    returned = upload(MAY, "2023-05", "returned")
    approval.return_(engine, admin, returned, planted(recorder, "return-reason"))
    accepted = upload(JUNE, "2023-06", "accepted")
    approval.accept(engine, admin, accepted)
    approval.reopen(engine, admin, c["plan"].id, MIANYANG, "2023-06", planted(recorder, "reopen-reason"))
    upload(MAY, "2023-05", "pending")  # waits for review: the review page's list and choice
    plan = load_plans()[c["plan"].id]
    set_status(engine, plan, load_config(), plan.milestones[0].id, "in_progress", as_of="2023-06",
               note=planted(recorder, "measure-note"), updated_by=admin.label, actor=admin,
               evidence=Evidence(planted(recorder, "evidence-name") + ".pdf", EVIDENCE))
    engine.dispose()
    yield url


@pytest.fixture(scope="module")
def app(planted_db):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRACKER_SECRET_KEY", KEY)
        env.delenv("TRACKER_PUBLIC_OVERVIEW", raising=False)
        with running_app(planted_db) as url:
            yield url


def _sign_in(page, url: str, username: str = "admin1") -> None:
    page.goto(url)
    page.get_by_role("heading", name="登录").first.wait_for(timeout=60_000)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name=landing_heading()).first.wait_for(timeout=60_000)
    settle(page)


def _text(page, selector: str) -> str:
    return page.locator(selector).first.inner_text().replace("\u2060", "")


def _nav(page) -> list[str]:
    return page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()


def test_planted_markdown_in_stored_text_fetches_nothing_on_any_page(app, recorder, browser, tmp_path):
    with new_page(browser) as page:
        _sign_in(page, app)
        sidebar = _text(page, '[data-testid="stSidebar"]')
        for name in _nav(page):
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).first.click()
            settle(page)
            page.wait_for_timeout(700)
        # the upload page with a file whose name and sheet name carry the image, and a problem on that sheet
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="上报数据").first.click()
        settle(page)
        rows = good_rows(JUNE)
        rows[6][3] = -5  # a negative figure: a problem located on the planted sheet
        data = _with_sheet_name(xlsx(rows), planted(recorder, "upload-sheet"))
        name = planted(recorder, "upload-file") + ".xlsx"
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])
        settle(page)
        page.get_by_text("有错误，不能导入").first.wait_for(timeout=30_000)
        upload = _text(page, '[data-testid="stMain"]')
        # the milestones page's history shows the note and the evidence file's name (the button's label)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="工作任务").first.click()
        settle(page)
        button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="evidence-name")
        button.first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "planted-markdown-milestones.png"), full_page=True)
        assert sorted(set(recorder.requests)) == [], "stored text fetched: " + ", ".join(sorted(set(recorder.requests)))
        assert page.locator('[data-testid="stApp"] img[src*="127.0.0.1"]').count() == 0
        assert page.outside_requests == []
        # drawn as text, in full (the word joiners escape_markdown adds are invisible)
        assert planted(recorder, "admin-display-name") in sidebar
        assert planted(recorder, "upload-sheet") in upload and planted(recorder, "upload-file") in upload
        assert planted(recorder, "evidence-name") in _text(page, '[data-testid="stMain"]')


def test_escaped_text_is_drawn_as_itself_by_every_kind_of_element(recorder, browser):
    """The helper against Streamlit's own renderer: Markdown, HTML, GFM's bare links, KaTeX, directives, icons and
    shortcodes, each through st.markdown, caption, info, subheader, a button's, a download button's, a selectbox's,
    a checkbox's and an expander's label and a radio option, come out as the text itself and fetch nothing."""
    from tests.markdown_probe import samples

    base = f"http://127.0.0.1:{recorder.server_address[1]}/probe"
    with running_app("sqlite://", script="tests/markdown_probe.py") as probe, new_page(browser) as page:
        page.goto(f"{probe}/?base={base}")
        page.wait_for_selector(READY, timeout=60_000)
        page.get_by_role("heading").first.wait_for(timeout=30_000)
        settle(page)
        page.wait_for_timeout(1500)
        main = page.locator('[data-testid="stMain"]')
        found = page.evaluate("""() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const count = s => main.querySelectorAll(s).length;
            return {img: count('img'), a: count('a'), katex: count('.katex'),
                    svg_icons: count('[data-testid="stMarkdown"] [data-testid="stIconMaterial"]'),
                    formatted: count('strong, em, code, del, mark, h1, li, blockquote, table, hr, sup, sub'),
                    coloured: count('[data-testid="stMarkdown"] span[style*="color"]')};
        }""")
        assert found == {"img": 0, "a": 0, "katex": 0, "svg_icons": 0, "formatted": 0, "coloured": 0}, found
        text = re.sub(r"\s+", " ", main.inner_text().replace("\u2060", ""))
        for sample in samples(base):
            assert text.count(re.sub(r"\s+", " ", sample)) >= 9, sample
        assert not [r for r in recorder.requests if r.startswith("/probe")]
        assert page.outside_requests == []


def _media_url(app: str, name: str) -> str:
    """Where Streamlit's in-memory media store serves this evidence file once it holds it (the id is a hash of
    the content, the MIME type and the file name)."""
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id, get_extension_for_mimetype

    mime = "application/octet-stream"
    return f"{app}/media/{_calculate_file_id(EVIDENCE, mime, name)}{get_extension_for_mimetype(mime)}"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # no cookie: a visitor who is not signed in
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_evidence_reaches_the_media_store_only_when_an_allowed_user_clicks(app, recorder, browser, tmp_path):
    name = planted(recorder, "evidence-name") + ".pdf"
    media = _media_url(app, name)
    with new_page(browser) as page:
        _sign_in(page, app)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="工作任务").first.click()
        settle(page)
        button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="evidence-name").first
        button.wait_for(timeout=30_000)
        # shown, not served: no media URL exists for it, to this session's page or to anyone
        assert media.split(app)[1] not in page.content()
        assert _status(media) == 404
        with new_page(browser) as stranger:  # and someone signed out sees neither the page nor a button
            stranger.goto(app + "/milestones")
            stranger.get_by_role("heading", name="登录").first.wait_for(timeout=60_000)
            settle(stranger)
            assert stranger.locator('[data-testid="stDownloadButton"]').count() == 0
        assert _status(media) == 404
        with page.expect_download() as download:
            button.click()
        path = tmp_path / "evidence.pdf"
        download.value.save_as(path)
        assert path.read_bytes() == EVIDENCE
        # What remains (docs/deploy.md): after the click the file is held under that address until Streamlit's
        # clean-up drops it a couple of runs later.
        for name in ("总览", "报送情况", "总览"):
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).first.click()
            settle(page)
        assert _status(media) == 404


# ------------------------------------------------------------------------------------------ fresh servers

@pytest.fixture
def fresh_db(tmp_path):
    """A new SQLite database (with the schema) for a server started by the test itself."""
    from tracker.store import init_database
    from tracker.store.db import get_engine

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = get_engine(url)
    init_database(engine)
    yield url, engine
    engine.dispose()


def _no_traceback(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    text = page.locator('[data-testid="stApp"]').inner_text()
    assert "Traceback" not in text and "StopIteration" not in text


@pytest.mark.parametrize("public", [False, True])
def test_a_deep_link_as_the_first_request_after_a_restart_opens_the_menus_page(fresh_db, browser, monkeypatch,
                                                                               public):
    from tracker.access.accounts import add_user

    url, engine = fresh_db
    add_user(engine, Actor("root", "admin"), "kan", PASSWORD, "viewer")
    monkeypatch.setenv("TRACKER_SECRET_KEY", KEY)
    monkeypatch.setenv("TRACKER_PUBLIC_OVERVIEW", "1" if public else "0")
    with running_app(url) as server, new_page(browser) as page:
        page.goto(server + "/upload")  # the very first request this server answers
        page.get_by_role("heading", name="目标进度总览" if public else "登录").first.wait_for(timeout=60_000)
        settle(page)
        page.screenshot(path=str(ARTIFACTS / f"deep-link-first-{'public' if public else 'signin'}.png"))
        _no_traceback(page)
        assert page.locator('[data-testid="stFileUploader"]').count() == 0


def test_a_page_error_shows_one_line_with_an_id_that_the_server_log_holds(fresh_db, browser):
    import sqlalchemy as sa

    url, engine = fresh_db  # no account: everyone sees every page
    with running_app(url) as server:
        with engine.begin() as conn:  # break one page: its table is gone
            conn.execute(sa.text("drop table audit_log"))
        log = ARTIFACTS / f"streamlit-{server.rsplit(':', 1)[1]}.log"
        for lang, line in (("zh", "页面出错"), ("en", "Something went wrong on this page")):
            with new_page(browser) as page:
                page.goto(f"{server}/audit?lang={lang}")
                page.wait_for_selector(READY, timeout=60_000)
                alert = page.locator('[data-testid="stAlert"]').filter(has_text=line).first
                alert.wait_for(timeout=60_000)
                settle(page)
                page.screenshot(path=str(ARTIFACTS / f"page-error-{lang}.png"))
                _no_traceback(page)
                assert "audit_log" not in page.locator('[data-testid="stApp"]').inner_text()
                error_id = re.search(r"\b[0-9a-f]{8}\b", alert.inner_text()).group()
                logged = log.read_text(encoding="utf-8")
                assert f"page error {error_id} on audit" in logged and "no such table: audit_log" in logged
                # the rest of the app still works around the broken page
                assert page.locator('[data-testid="stSidebarNav"] a').count() > 5
