"""The administrator sets the group robots: the webhook and the secret are typed and never
shown again in full (not on the page, not in the security log); a test message is one press
of a button and says plainly whether it arrived at the robot."""

import pytest

from agencies.models import Agency
from notifications.models import Message, Robot
from security.models import SecurityEvent

from .robot_server import DINGTALK_SECRET, DINGTALK_TOKEN, WECOM_KEY, running


@pytest.fixture
def server():
    with running() as server:
        yield server


def _form(**fields):
    return {"name": "朝阳钉钉群", "kind": "dingtalk", "agency": "", "active": "on", **fields}


def test_the_keys_are_written_and_never_shown_again(client_for, server):
    client = client_for("administrator")
    agency = Agency.objects.get(code="004")
    response = client.post(
        "/admin/notifications/robot/add/",
        _form(agency=agency.pk, webhook=server.dingtalk_url(), secret=DINGTALK_SECRET),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    robot = Robot.objects.get()
    assert (robot.webhook, robot.secret) == (server.dingtalk_url(), DINGTALK_SECRET)
    for url in ("/admin/notifications/robot/", f"/admin/notifications/robot/{robot.pk}/change/"):
        page = client.get(url).content.decode()
        assert DINGTALK_TOKEN not in page and DINGTALK_SECRET not in page
    listing = client.get("/admin/notifications/robot/").content.decode()
    assert f"http://127.0.0.1:{server.server_address[1]}/…2222" in listing  # masked
    # saved again with the fields left empty: both keys stay
    client.post(
        f"/admin/notifications/robot/{robot.pk}/change/", _form(agency=agency.pk, name="新名称")
    )
    robot.refresh_from_db()
    assert (robot.name, robot.webhook, robot.secret) == (
        "新名称",
        server.dingtalk_url(),
        DINGTALK_SECRET,
    )
    # changed: the log says so, without either key
    client.post(
        f"/admin/notifications/robot/{robot.pk}/change/",
        _form(agency=agency.pk, webhook=server.dingtalk_url("new-token-4444"), secret="SEC-new"),
    )
    log = "\n".join(SecurityEvent.objects.values_list("detail", flat=True))
    assert "Webhook 地址: 已修改（不显示）" in log and "加签密钥: 已修改（不显示）" in log
    for key in (DINGTALK_TOKEN, DINGTALK_SECRET, "new-token-4444", "SEC-new"):
        assert key not in log


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"webhook": ""}, "请填写群机器人的 Webhook 地址。"),
        (
            {"webhook": "oapi.dingtalk.com/robot"},
            "这不是有效的网址：请从群机器人设置中复制完整地址。",
        ),
        ({"webhook": "ftp://example.org/x"}, "这不是有效的网址：请从群机器人设置中复制完整地址。"),
        (
            {"kind": "wecom", "webhook": "https://qyapi.weixin.qq.com/x?key=1", "secret": "SECx"},
            "企业微信群机器人不使用加签：请将密钥留空。",
        ),
    ],
)
def test_a_wrong_robot_is_refused_in_words(client_for, fields, error):
    response = client_for("administrator").post("/admin/notifications/robot/add/", _form(**fields))
    assert response.status_code == 200 and error in response.content.decode()
    assert not Robot.objects.exists()


def test_the_test_button_says_whether_the_robot_took_it(client_for, server):
    robot = Robot.objects.create(name="朝阳企业微信群", kind="wecom", webhook=server.wecom_url())
    client = client_for("administrator")
    page = client.get(f"/admin/notifications/robot/{robot.pk}/change/").content.decode()
    assert "发送测试消息" in page
    response = client.post(f"/admin/notifications/robot/{robot.pk}/test/", follow=True)
    assert "测试消息已发送到“朝阳企业微信群”：请到群里确认是否收到。" in response.content.decode()
    [(kind, message)] = server.received
    assert (
        kind == "wecom"
        and "安管理员 已为稽核管理平台的通知设置了本群机器人。" in message["markdown"]["content"]
    )
    Robot.objects.filter(pk=robot.pk).update(webhook=server.wecom_url("wrong-key"))
    response = client.post(f"/admin/notifications/robot/{robot.pk}/test/", follow=True)
    assert (
        "测试消息未发出：群机器人拒收了消息：errcode 93000 refused。" in response.content.decode()
    )
    assert list(Message.objects.order_by("pk").values_list("status", flat=True)) == [
        "sent",
        "failed",
    ]
    listing = client.get("/admin/notifications/robot/").content.decode()
    assert "发送失败：群机器人拒收了消息" in listing  # the failed channel, shown
    assert WECOM_KEY not in listing


def test_only_the_administrator_sends_a_test_message(client_for, server):
    robot = Robot.objects.create(name="群", kind="wecom", webhook=server.wecom_url())
    for persona in ("manager", "secadmin", "staff004"):
        response = client_for(persona).post(f"/admin/notifications/robot/{robot.pk}/test/")
        assert response.status_code in (302, 403)
    assert server.received == []
    assert (
        client_for("administrator").get(f"/admin/notifications/robot/{robot.pk}/test/").status_code
        == 405
    )
