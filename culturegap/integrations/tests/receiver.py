"""A small HTTP receiver on 127.0.0.1 for tests: records every request and answers with the
status codes it is given, in order (then 200). Given a ``secret``, it checks the webhook
signature the way a customer's receiver would (written here independently of the sender's
code) and answers 401 when it does not match or the timestamp is stale."""

import hashlib
import hmac
import http.server
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    secret: str | None = None
    rejected: int = 0

    def signature_ok(self, headers, body: bytes) -> bool:
        timestamp = headers.get("X-Culturegap-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        mac = hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
        given = headers.get("X-Culturegap-Signature", "")
        return hmac.compare_digest("sha256=" + mac.hexdigest(), given)

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                if receiver.secret is not None and not receiver.signature_ok(self.headers, body):
                    receiver.rejected += 1
                    status = 401
                else:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
