"""issue 17: 'editions serve' — confinement over HTTP, and a real browser that sees saves."""

from __future__ import annotations

import http.client
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from converters.cli.main import main
from converters.cli.scaffold import scaffold
from converters.cli.serve.server import Running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def book(tmp_path):
    return scaffold(tmp_path / "book", "novel", title="Serve Test")[0].parent


@pytest.fixture
def running(book):
    server = Running(book, 0)
    time.sleep(0.3)  # watchfiles starts watching on its first iteration, in its thread
    yield server
    server.stop()


def get(server: Running, path: str, host: str | None = None) -> tuple[int, bytes]:
    port = server.server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    # skip_host: the raw path and Host go out exactly as written (no client normalisation).
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_serves_the_page_stylesheet_and_the_books_images(running):
    status, page = get(running, "/")
    assert status == 200
    text = page.decode()
    assert "<title>Serve Test — preview</title>" in text
    assert 'href="/_editions/css/epub.css"' in text and "Tomas Rede kept two books" in text
    shown = re.search(r'<img src="(images/figure-[0-9a-f]+\.png)"', text)
    assert shown, text
    status, png = get(running, "/" + shown[1])
    assert status == 200 and png.startswith(b"\x89PNG\r\n\x1a\n")
    status, css = get(running, "/_editions/css/epub.css")
    assert status == 200 and b"@font-face" in css
    status, font = get(running, "/_editions/fonts/CharisSIL-Regular.ttf")
    assert status == 200 and font[:4] == b"\x00\x01\x00\x00"


@pytest.mark.parametrize("path", [
    "/book.yaml", "/text/chapter-1.md", "/../secret.txt", "/%2e%2e/secret.txt",
    "/images/../../secret.txt", "/images/%2e%2e/%2e%2e/secret.txt", "//etc/passwd",
    "/%2Fetc%2Fpasswd", "/images/outside.png", "/images/figure.png%00.md",
    "/images\\..\\..\\secret.txt", "/_editions/fonts/../../../../etc/passwd",
    "/_editions/fonts/secret.txt", "/.editions-state.json"])
def test_never_serves_anything_else(running, book, path):
    secret = book.parent / "secret.txt"
    secret.write_text("outside the source folder", encoding="utf-8")
    outside = book.parent / "outside.png"
    shutil.copy(book / "images" / "figure.png", outside)
    (book / "images" / "outside.png").symlink_to(outside)
    status, body = get(running, path)
    assert status == 404, (path, body[:80])
    assert b"outside the source folder" not in body and b"PNG" not in body


def test_refuses_another_host(running):
    assert get(running, "/", host="attacker.example:80")[0] == 403
    assert get(running, "/")[0] == 200


def test_a_save_re_renders_only_the_changed_file(running, book):
    assert running.first.ok and running.first.reparsed == running.first.files == 4
    version = running.preview.version
    chapter = book / "text" / "chapter-2.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nThe gulls came back.\n",
                       encoding="utf-8")
    assert running.preview.wait(version, 15) == version + 1
    outcome = running.preview.refresh(assets_changed=False)  # the same book again: all cached
    assert outcome.ok and outcome.reparsed == 0 and not outcome.changed
    assert "The gulls came back." in running.preview.current()[1]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_browser_sees_edits_errors_and_recovery(running, book, tmp_path, capsys):
    sync_api = pytest.importorskip("playwright.sync_api")
    chapter = book / "text" / "chapter-1.md"
    original = chapter.read_text(encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(running.url)
            assert "Tomas Rede kept two books" in page.inner_text("main")
            assert page.locator("#editions-problems").count() == 0
            # An edit appears without a manual reload.
            chapter.write_text(original.replace("Tomas Rede kept two books",
                                                "Tomas Rede kept three books"), encoding="utf-8")
            page.wait_for_function("document.body.innerText.includes('kept three books')",
                                   timeout=20_000)
            # A mistake shows in the page, located as in the terminal.
            broken = original + "\nSee [the storm](#no-such-place).\n"
            chapter.write_text(broken, encoding="utf-8")
            page.wait_for_selector("#editions-problems", timeout=20_000)
            line = broken.splitlines().index("See [the storm](#no-such-place).") + 1
            panel = page.inner_text("#editions-problems")
            assert main(["build", str(book), "--out", str(tmp_path / "out")]) == 1
            terminal = [t for t in capsys.readouterr().err.splitlines() if ": error: " in t]
            assert len(terminal) == 1 and terminal[0] in panel, (terminal, panel)
            assert re.search(rf"chapter-1\.md:{line}:\d+: error: link to '#no-such-place' "
                             r"goes nowhere.*\[broken-link\]", panel), panel
            assert "kept three books" in page.inner_text("main")  # the last good book, kept
            # Fixed, the page recovers.
            chapter.write_text(original.replace("kept two books", "kept four books"),
                               encoding="utf-8")
            page.wait_for_function("document.body.innerText.includes('kept four books')",
                                   timeout=20_000)
            assert page.locator("#editions-problems").count() == 0
            assert running.server.stopping.is_set() is False
        finally:
            browser.close()


@pytest.mark.slow
def test_cli_serve_starts_prints_its_address_and_stops(book):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "converters", "serve", str(book / "book.yaml"),
                             "--port", "0"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "serving" in line or not line:
                break
        match = re.search(r"serving .* at http://127\.0\.0\.1:(\d+)/", "".join(lines))
        assert match, lines
        assert "rendered 4 of 4 Markdown files" in "".join(lines)
        conn = http.client.HTTPConnection("127.0.0.1", int(match[1]), timeout=10)
        conn.request("GET", "/")
        assert b"Tomas Rede" in conn.getresponse().read()
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        proc.stderr.close()


def test_a_replaced_image_reloads_the_page(running, book):
    from PIL import Image

    version = running.preview.version
    Image.new("RGB", (40, 20), "red").save(book / "images" / "figure.png")
    assert running.preview.wait(version, 15) == version + 1
    (shown,) = [name for name in running.preview.images if name.startswith("images/figure-")]
    status, png = get(running, "/" + shown)
    assert status == 200 and Image.open(io.BytesIO(png)).size == (40, 20)


def test_a_book_broken_from_the_start_is_shown_then_recovers(book):
    chapter = book / "text" / "chapter-2.md"
    good = chapter.read_text(encoding="utf-8")
    chapter.write_text(good + "\n![gone](images/gone.png)\n", encoding="utf-8")
    server = Running(book, 0)
    try:
        time.sleep(0.3)
        assert not server.first.ok and [p.code for p in server.first.problems] == \
            ["missing-image"]
        status, page = get(server, "/")
        assert status == 200 and b"fix these and save" in page and b"[missing-image]" in page
        version = server.preview.version
        chapter.write_text(good, encoding="utf-8")
        assert server.preview.wait(version, 15) == version + 1
        page = get(server, "/")[1]
        assert b"editions-problems" not in page and b"The storm came in" in page
        # A second server cannot take the same port; it fails before rendering anything.
        with pytest.raises(OSError):
            Running(book, server.server.server_address[1])
    finally:
        server.stop()
