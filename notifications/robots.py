"""Talking to group robots: WeCom's (企业微信群机器人) and DingTalk's (钉钉自定义机器人).

Both take a JSON POST on their webhook and answer ``{"errcode": 0, ...}`` when the message
was posted; any other errcode names what was wrong (a wrong key, a bad signature, too many
messages). A DingTalk robot with 加签 needs the webhook signed: ``timestamp`` (milliseconds)
and ``sign`` = Base64(HmacSHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded.
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus, urlsplit

import requests
from django.utils.translation import gettext as _

from .models import Robot

TIMEOUT = 5  # seconds for the robot's server to answer
# WeCom: 45009 "api freq out of limit"; DingTalk: 130101 "send too fast"
RATE_LIMITED = {45009, 130101}


class RobotError(Exception):
    """The robot did not post the message; the text says why, in words for the
    administrator (never with the webhook's key)."""

    def __init__(self, text: str, *, rate_limited: bool = False):
        super().__init__(text)
        self.rate_limited = rate_limited


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签 of a timestamp, URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode())


def signed_url(robot: Robot, now_ms: int | None = None) -> str:
    if robot.kind != Robot.Kind.DINGTALK or not robot.secret:
        return robot.webhook
    timestamp = int(time.time() * 1000) if now_ms is None else now_ms
    joiner = "&" if "?" in robot.webhook else "?"
    return f"{robot.webhook}{joiner}timestamp={timestamp}&sign={sign(robot.secret, timestamp)}"


def open_in_portal() -> str:
    return _("Open in the portal")


def payload(robot: Robot, title: str, text: str, link: str) -> dict:
    """A markdown message: the title in bold, the text, and the link to open in the portal."""
    lines = f"**{title}**\n\n{text}"
    if link:
        lines += f"\n\n[{open_in_portal()}]({link})"
    if robot.kind == Robot.Kind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": lines}}
    return {"msgtype": "markdown", "markdown": {"content": lines}}


def masked(address: str) -> str:
    """The webhook as the administrator sees it again: its server and the key's last four
    characters, the rest hidden."""
    parts = urlsplit(address)
    tail = address[-4:] if len(address) > 12 else ""
    return f"{parts.scheme}://{parts.netloc}/…{tail}" if parts.netloc else "…"


def post(robot: Robot, title: str, text: str, link: str) -> None:
    """Post one message; RobotError when it was not posted."""
    try:
        response = requests.post(
            signed_url(robot),
            json=payload(robot, title, text, link),
            timeout=TIMEOUT,
            allow_redirects=False,
        )
    except requests.Timeout as error:
        raise RobotError(
            _("the robot's server did not answer within %(seconds)s seconds") % {"seconds": TIMEOUT}
        ) from error
    except requests.RequestException as error:
        raise RobotError(
            _("the robot's server %(host)s cannot be reached")
            % {"host": urlsplit(robot.webhook).netloc}
        ) from error
    if response.status_code != 200:
        raise RobotError(
            _("the robot's server answered HTTP %(code)s") % {"code": response.status_code}
        )
    try:
        answer = response.json()
        code = int(answer.get("errcode", -1))
    except (ValueError, AttributeError, TypeError) as error:
        raise RobotError(
            _("the robot's server answered something that is not a robot's answer")
        ) from error
    if code != 0:
        message = str(answer.get("errmsg", ""))[:200]
        raise RobotError(
            _("the robot refused the message: errcode %(code)s %(message)s")
            % {"code": code, "message": message},
            rate_limited=code in RATE_LIMITED,
        )
