"""A built site served on localhost, counting every byte it sends.

Like the static hosts the book is published on (GitHub Pages), it compresses
text with gzip for a browser that accepts it, so the bytes counted are the
bytes a reader's browser would transfer.
"""

import contextlib
import functools
import gzip
import http.server
import os
import threading
from typing import ClassVar
from urllib.parse import urlsplit

COMPRESSED_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
)


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site and counts every byte it sends (headers included).

    ``sent`` is the total so far; ``served`` lists (path, bytes) per request.
    """

    sent = 0
    # Not `responses`: BaseHTTPRequestHandler's table of status messages.
    served: ClassVar[list[tuple[str, int]]] = []
    lock = threading.Lock()

    def setup(self):
        super().setup()
        raw, handler = self.wfile, self
        self.entry = None  # this request's place in ``served``

        class Counter:
            def write(inner, data):
                # counted before the client can have it: a test that has read a
                # reply never sees a count without it
                with CountingHandler.lock:
                    CountingHandler.sent += len(data)
                    if handler.entry is None:
                        handler.entry = len(CountingHandler.served)
                        path = getattr(handler, "path", "?")
                        CountingHandler.served.append((path, 0))
                    path, count = CountingHandler.served[handler.entry]
                    CountingHandler.served[handler.entry] = (path, count + len(data))
                return raw.write(data)

            def __getattr__(inner, name):
                return getattr(raw, name)

        self.wfile = Counter()

    def do_GET(self):
        """A compressible file gzipped if the browser accepts it; else as is."""
        target = self.translate_path(self.path)
        if os.path.isdir(target):
            if not urlsplit(self.path).path.endswith("/"):
                return super().do_GET()  # the redirect to the folder's URL
            target = os.path.join(target, "index.html")
        kind = self.guess_type(target)
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (
            accepts_gzip
            and os.path.isfile(target)
            and kind.startswith(COMPRESSED_TYPES)
        ):
            return super().do_GET()
        with open(target, "rb") as file:
            body = gzip.compress(file.read(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def handle_one_request(self):
        self.entry = None  # a kept-alive connection's next request is a new entry
        super().handle_one_request()

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` on a free localhost port; yield its base URL."""
    handler = functools.partial(CountingHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
