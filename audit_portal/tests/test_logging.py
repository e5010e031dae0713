"""Request ids, one-line logs, and the clean 503 when the database cannot be reached."""

import logging
from unittest import mock

from django.db import OperationalError
from django.test import Client

from common.logs import OneLineFormatter, RequestIdFilter, current_request_id


def test_every_answer_carries_a_request_id(client_for):
    first = client_for("auditor").get("/cycles/")
    second = client_for("auditor").get("/cycles/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_well_formed_id_from_the_proxy_is_kept_and_a_bad_one_replaced(db):
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789ab")["X-Request-ID"] == (
        "nginx-0123456789ab"
    )
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert (
        replaced["X-Request-ID"] != "bad id\nwith newline" and len(replaced["X-Request-ID"]) == 32
    )


def test_one_access_line_per_request_with_its_id(client_for, caplog):
    with caplog.at_level(logging.INFO, logger="portal.access"):
        response = client_for("auditor").get("/cycles/2023/")
    (line,) = [r for r in caplog.records if r.name == "portal.access"]
    assert line.getMessage().startswith("GET /cycles/2023/ 200 ")
    assert line.getMessage().endswith("user=alice address=127.0.0.1")
    assert line.request_id == response["X-Request-ID"]


def test_a_traceback_stays_on_its_events_line():
    formatter = OneLineFormatter("%(request_id)s %(levelname)s %(message)s")
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    token = current_request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    text = formatter.format(record)
    assert "\n" not in text
    assert text.startswith("abc123 ERROR failed ⏎ Traceback")
    assert "ValueError: first ⏎ second" in text


def test_a_database_that_cannot_be_reached_gives_a_clean_503(client_for):
    client = client_for("auditor")
    client.raise_request_exception = False
    with mock.patch(
        "agencies.views.grade_distribution_svg", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/cycles/2023/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "系统暂时无法连接数据库" in page and "已经保存的内容不受影响" in page
    assert response["X-Request-ID"] in page


def test_other_errors_stay_500_with_the_request_id(client_for):
    client = client_for("auditor")
    client.raise_request_exception = False
    with mock.patch("agencies.views.grade_distribution_svg", side_effect=RuntimeError("bug")):
        response = client.get("/cycles/2023/")
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    assert response["X-Request-ID"] in response.content.decode()
