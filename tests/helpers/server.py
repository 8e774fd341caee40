"""A built site served on localhost, counting every byte it sends."""

import contextlib
import functools
import http.server
import threading
from typing import ClassVar


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site and counts every byte it sends (headers included).

    ``sent`` is the total so far; ``responses`` lists (path, bytes) per request.
    """

    sent = 0
    responses: ClassVar[list[tuple[str, int]]] = []
    lock = threading.Lock()

    def setup(self):
        super().setup()
        raw, handler = self.wfile, self
        self.bytes_out = 0

        class Counter:
            def write(inner, data):
                handler.bytes_out += len(data)
                return raw.write(data)

            def __getattr__(inner, name):
                return getattr(raw, name)

        self.wfile = Counter()

    def handle_one_request(self):
        before = self.bytes_out
        super().handle_one_request()
        sent = self.bytes_out - before
        if sent:
            with CountingHandler.lock:
                CountingHandler.sent += sent
                CountingHandler.responses.append((getattr(self, "path", "?"), sent))

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
