"""The preview's HTTP side: the standard library's threading server on 127.0.0.1, a
watchfiles thread that re-renders on save, and server-sent events that reload the page.

What it serves, and nothing else:
- ``/``: the page (:class:`Preview`);
- ``/_editions/…``: the EPUB stylesheet, its fonts, the preview's own CSS and script, the
  event stream and the version (for browsers without EventSource);
- any other path only if it is an image the rendered book shows, resolved inside the source
  folder by the same confinement the build uses.  A path naming book.yaml, a Markdown file,
  or anything outside the folder (``..``, an absolute path, a symlink out) is a 404.
Requests whose Host is not this server (DNS rebinding) are refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .preview import Outcome, Preview

LIVE_JS = """(function () {
  var seen = document.documentElement.getAttribute("data-version");
  function check(version) {
    if (String(version).trim() !== seen) {
      sessionStorage.setItem("editions-scroll", String(window.scrollY));
      location.reload();
    }
  }
  if (window.EventSource) {
    new EventSource("/_editions/events").onmessage = function (e) { check(e.data); };
  } else {
    setInterval(function () {
      fetch("/_editions/version").then(function (r) { return r.text(); }).then(check);
    }, 1000);
  }
  window.addEventListener("load", function () {
    var y = sessionStorage.getItem("editions-scroll");
    if (y !== null) { sessionStorage.removeItem("editions-scroll"); window.scrollTo(0, +y); }
  });
})();
"""
PREVIEW_CSS = """body { max-width: 40em; margin: 2em auto; padding: 0 1em; }
section.entry { border-bottom: 1px dashed #999; padding-bottom: 2em; margin-bottom: 2em; }
#editions-problems { position: sticky; top: 0; z-index: 1; background: #fff4f4;
  border: 2px solid #b00020; padding: 0.5em 1em; margin-bottom: 1em; font-size: 0.9em; }
#editions-problems li.warning { color: #6b4e00; }
#editions-problems code { white-space: pre-wrap; font-family: monospace; }
main.editions-stale { opacity: 0.45; }
"""
KEEPALIVE_SECONDS = 10.0


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up shutdown

    def __init__(self, preview: Preview, port: int) -> None:
        self.preview = preview
        self.stopping = threading.Event()
        self.fonts = _fonts()
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def _fonts() -> dict[str, Path]:
    from ...assets.fonts import serif_faces

    try:
        return {path.name: path for path in serif_faces().values()}
    except Exception:  # no house serif installed: the page falls back to the browser's
        return {}


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None  # the CLI reports renders; request logs would drown them

    def do_HEAD(self) -> None:
        self._get(body=False)

    def do_GET(self) -> None:
        self._get(body=True)

    def _get(self, body: bool) -> None:
        port = self.server.server_address[1]
        if self.headers.get("Host", "") not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain", body)
        path = unquote(urlsplit(self.path).path)
        preview = self.server.preview
        if path in ("/", "/index.html"):
            _version, page = preview.current()
            return self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8", body)
        if path == "/_editions/events" and body:
            return self._events()
        if path == "/_editions/version":
            return self._send(HTTPStatus.OK, str(preview.version).encode(), "text/plain", body)
        if path == "/_editions/live.js":
            return self._send(HTTPStatus.OK, LIVE_JS.encode(), "text/javascript", body)
        if path == "/_editions/preview.css":
            return self._send(HTTPStatus.OK, PREVIEW_CSS.encode(), "text/css", body)
        if path == "/_editions/css/epub.css":
            css = resources.files("converters.assets").joinpath("epub.css").read_bytes()
            return self._send(HTTPStatus.OK, css, "text/css", body, cache=True)
        if path.startswith("/_editions/fonts/") and path[17:] in self.server.fonts:
            data = self.server.fonts[path[17:]].read_bytes()
            return self._send(HTTPStatus.OK, data, "font/ttf", body, cache=True)
        target = self._image(path)
        if target is None:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)
        return self._send(HTTPStatus.OK, target[0].read_bytes(), target[1], body)

    def _image(self, path: str) -> tuple[Path, str] | None:
        """An image the page shows, by the name it shows it under; only a file of the book's
        own that still stays in the source folder."""
        preview = self.server.preview
        found = preview.images.get(path.lstrip("/"))
        if found is None:
            return None
        target = found[0].resolve()  # a link swapped in since the render must not lead out
        if not target.is_relative_to(preview.source_dir.resolve()) or not target.is_file():
            return None
        return target, found[1]

    def _send(self, status: HTTPStatus, data: bytes, media_type: str, body: bool,
              cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(data)))
        # The stylesheet and fonts do not change while the server runs; a reload must not
        # fetch 3 MB of fonts again.  Everything else is the book's, which may change anytime.
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        try:
            while not self.server.stopping.is_set():
                version = self.server.preview.wait(seen, KEEPALIVE_SECONDS)
                if version != seen:
                    self.wfile.write(f"data: {version}\n\n".encode())
                    seen = version
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def watch(preview: Preview, stop: threading.Event,
          report: Callable[[Outcome, list[Path]], None]) -> None:
    """Re-render on every save until ``stop`` is set; ``report`` tells the CLI what happened."""
    import watchfiles

    source = preview.source_dir.resolve()

    def relevant(change: watchfiles.Change, path: str) -> bool:
        parts = Path(path).relative_to(source).parts if path.startswith(str(source)) else ()
        return watchfiles.DefaultFilter()(change, path) and not any(
            part.startswith(".") for part in parts)

    for changes in watchfiles.watch(source, watch_filter=relevant, stop_event=stop,
                                    debounce=400, step=30, raise_interrupt=False):
        paths = sorted({Path(p) for _change, p in changes})
        assets = any(p.suffix.lower() not in (".md", ".yaml", ".yml") for p in paths)
        report(preview.refresh(assets_changed=assets), paths)


class Running:
    """A preview server with its watcher, in background threads (the CLI and the tests)."""

    def __init__(self, source_dir: Path, port: int = 0,
                 report: Callable[[Outcome, list[Path]], None] | None = None) -> None:
        self.preview = Preview(source_dir)
        self.server = PreviewServer(self.preview, port)  # a taken port fails before rendering
        self.first = self.preview.refresh()
        self.stop_event = threading.Event()
        self._threads = [
            threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                             name="editions-serve", daemon=True),
            threading.Thread(target=watch, args=(self.preview, self.stop_event,
                                                 report or (lambda outcome, paths: None)),
                             name="editions-watch", daemon=True)]
        for thread in self._threads:
            thread.start()

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.stop_event.set()
        self.server.stopping.set()
        with self.preview.changed:  # wake the event streams so they see ``stopping``
            self.preview.changed.notify_all()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
