"""A group robot's server on loopback, as strict as WeCom's and DingTalk's: it takes a JSON
POST, checks the message's format and (DingTalk with 加签) the signature of the timestamp,
and answers with an errcode as they do. The tests switch it to refusing, to answering
slowly, to answering "too many messages" or to an HTTP error."""

import base64
import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WECOM_KEY = "wecom-key-0000-1111"
DINGTALK_TOKEN = "dingtalk-token-2222"
DINGTALK_SECRET = "SEC-dingtalk-secret-3333"


class RobotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.received = []  # (kind, the message as posted)
        self.refused = []  # (kind, errcode) of the posts answered with an error
        self.mode = "ok"  # "ok", "refuse", "busy", "slow", "limit", "http500"
        self.slow_seconds = 2.0
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def wecom_url(self, key=WECOM_KEY) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token=DINGTALK_TOKEN) -> str:
        return f"{self.base}/robot/send?access_token={token}"


@contextmanager
def running():
    """A robot server answering on loopback for the length of the block."""
    server = RobotServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _signature(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


class Handler(BaseHTTPRequestHandler):
    server: RobotServer

    def log_message(self, format, *args):  # quiet
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length", 0))
        try:
            message = json.loads(self.rfile.read(length))
        except ValueError:
            message = None
        server = self.server
        if server.mode == "slow":
            time.sleep(server.slow_seconds)
        if server.mode == "http500":
            return self._answer(500, {})
        if url.path == "/cgi-bin/webhook/send":
            kind, code = "wecom", self._wecom(query, message)
        elif url.path == "/robot/send":
            kind, code = "dingtalk", self._dingtalk(query, message)
        else:
            return self._answer(404, {})
        if code == 0 and server.mode == "refuse":
            code = 93000 if kind == "wecom" else 300001  # "invalid webhook" / "token is not exist"
        if code == 0 and server.mode == "busy":
            code = -1  # WeCom's and DingTalk's "system busy"
        if code == 0 and server.mode == "limit":
            code = 45009 if kind == "wecom" else 130101
        with server.lock:
            if code == 0:
                server.received.append((kind, message))
            else:
                server.refused.append((kind, code))
        return self._answer(200, {"errcode": code, "errmsg": "ok" if code == 0 else "refused"})

    def _wecom(self, query, message) -> int:
        if query.get("key") != WECOM_KEY:
            return 93000
        if not isinstance(message, dict) or message.get("msgtype") != "markdown":
            return 40008
        content = (message.get("markdown") or {}).get("content")
        if not isinstance(content, str) or not content or len(content.encode()) > 4096:
            return 40058
        return 0

    def _dingtalk(self, query, message) -> int:
        if query.get("access_token") != DINGTALK_TOKEN:
            return 300001
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        # DingTalk: the timestamp within an hour of its clock, the sign its HmacSHA256
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
            return 310000
        if not hmac.compare_digest(sign, _signature(DINGTALK_SECRET, timestamp)):
            return 310000
        if not isinstance(message, dict) or message.get("msgtype") != "markdown":
            return 40035
        markdown = message.get("markdown") or {}
        if not all(isinstance(markdown.get(k), str) and markdown.get(k) for k in ("title", "text")):
            return 40035
        return 0
