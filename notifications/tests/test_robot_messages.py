"""notifications.robots on its own: the message, the signed address, the masked address, and
every kind of answer a robot's server gives (`make mutate`'s survivors of robots.py)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation

from notifications import robots
from notifications.models import Robot

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def _robot(kind=Robot.Kind.WECOM, webhook=WECOM, secret=""):
    return Robot(name="群", kind=kind, webhook=webhook, secret=secret)


def test_the_message_links_to_the_portal_in_words_the_group_reads():
    with translation.override("zh-hans"):
        wecom = robots.payload(_robot(), "稽核报告已出具", "朝阳", "https://p.example/x/")
        ding = robots.payload(_robot(Robot.Kind.DINGTALK), "稽核报告已出具", "朝阳", "")
    assert wecom == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**稽核报告已出具**\n\n朝阳\n\n[到平台中查看](https://p.example/x/)"
        },
    }
    assert ding == {
        "msgtype": "markdown",
        "markdown": {"title": "稽核报告已出具", "text": "**稽核报告已出具**\n\n朝阳"},
    }


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        (WECOM, "https://qyapi.weixin.qq.com/…5aaa"),
        ("http://a.cn/1", "http://a.cn/…cn/1"),  # 13 characters: the last four shown
        ("http://ab/12", "http://ab/…"),  # 12: too short to show any of it
        ("not an address at all", "…"),
    ],
)
def test_a_webhook_is_shown_by_its_server_and_last_four_characters(address, shown):
    assert robots.masked(address) == shown


def test_a_dingtalk_webhook_is_signed_after_its_own_parameters():
    ding = _robot(
        Robot.Kind.DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=t", "SECx"
    )
    assert robots.signed_url(ding, now_ms=1) == (
        f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1&sign={robots.sign('SECx', 1)}"
    )
    bare = _robot(Robot.Kind.DINGTALK, "https://ding.example/send", "SECx")
    assert robots.signed_url(bare, now_ms=1).startswith(
        "https://ding.example/send?timestamp=1&sign="
    )
    assert robots.signed_url(_robot(Robot.Kind.DINGTALK, secret=""), now_ms=1) == WECOM
    assert robots.signed_url(_robot(secret="SECx"), now_ms=1) == WECOM  # WeCom signs nothing


class _Answers(BaseHTTPRequestHandler):
    """A robot's server answering what the test sets: a status, a body, a redirect."""

    status, body, location = 200, b"", ""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.status)
        if self.location:
            self.send_header("Location", self.location)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def answering():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def answer(status=200, body=None, location=""):
        _Answers.status = status
        _Answers.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        _Answers.location = location
        return _robot(webhook=f"http://127.0.0.1:{server.server_port}/send?key=k")

    yield answer
    server.shutdown()


def _refusal(robot) -> robots.RobotError:
    with translation.override("zh-hans"), pytest.raises(robots.RobotError) as refused:
        robots.post(robot, "t", "x", "")
    return refused.value


def test_an_answer_of_errcode_0_is_a_message_posted(answering):
    robots.post(answering(body={"errcode": 0, "errmsg": "ok"}), "t", "x", "")


def test_a_redirect_is_not_followed_but_named(answering):
    """A webhook that answers 302 (a captive portal, a moved address) did not post the
    message, even where the address it points to would answer errcode 0."""
    robot = answering(status=302, body=b"", location="/send?key=k")
    assert str(_refusal(robot)) == "群机器人的服务器应答 HTTP 302"


@pytest.mark.parametrize(
    ("body", "said", "rate_limited"),
    [
        ({"errmsg": "no code"}, "群机器人拒收了消息：errcode -1 no code", False),
        ({"errcode": 93000}, "群机器人拒收了消息：errcode 93000 ", False),
        ({"errcode": 45009, "errmsg": "freq"}, "群机器人拒收了消息：errcode 45009 freq", True),
        (
            {"errcode": 1, "errmsg": "长" * 300},
            "群机器人拒收了消息：errcode 1 " + "长" * 200,
            False,
        ),
        (b"<html>", "群机器人的服务器返回的内容无法识别", False),
        ([1], "群机器人的服务器返回的内容无法识别", False),
    ],
)
def test_every_other_answer_is_a_refusal_said_in_words(answering, body, said, rate_limited):
    refusal = _refusal(answering(body=body))
    assert (str(refusal), refusal.rate_limited) == (said, rate_limited)
