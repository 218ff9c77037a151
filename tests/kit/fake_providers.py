"""Local stand-ins for the providers notifications go through, on real sockets.

`FakeHttpProvider` is an HTTP server on a free loopback port, in a thread, that records
every request and answers with the statuses a test scripts (a gateway failing with 500s,
then recovering). `LocalSmtpServer` is aiosmtpd's SMTP server, in a thread, keeping every
message it accepts, or refusing them as a test asks.
"""

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict
    body: bytes
    status: int

    def json(self) -> dict:
        return json.loads(self.body)

    def form(self) -> dict:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}


@dataclass
class FakeHttpProvider:
    """Answers each POST with the next scripted status (then `default_status`)."""

    statuses: list = field(default_factory=list)
    default_status: int = 200
    answer: dict = field(default_factory=lambda: {"status": "accepted"})
    received: list = field(default_factory=list)

    def __post_init__(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = provider.statuses.pop(0) if provider.statuses else provider.default_status
                provider.received.append(
                    ReceivedRequest("POST", self.path, dict(self.headers), body, status)
                )
                answer = (
                    provider.answer
                    if status < 300
                    else {"code": 20500, "message": "Internal Server Error", "status": status}
                )
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def accepted(self) -> list[ReceivedRequest]:
        """Return the requests the provider answered with success: the messages it sent."""
        return [request for request in self.received if request.status < 300]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _KeepingHandler:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.refuse_with: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        self.raw.append(envelope.original_content)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


class LocalSmtpServer:
    """aiosmtpd on a free loopback port; `messages` holds what it accepted, parsed."""

    def __init__(self):
        self.handler = _KeepingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    @property
    def raw(self) -> list[bytes]:
        """The messages as they came over the wire."""
        return self.handler.raw

    def refuse(self, reply: str | None) -> None:
        """Refuse every message with this SMTP reply (None: accept again)."""
        self.handler.refuse_with = reply

    def stop(self) -> None:
        self.controller.stop()


def free_port() -> int:
    """Return a loopback port nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
