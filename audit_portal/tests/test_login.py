from audit_portal.testing import PERSONA_PASSWORD


def test_the_sign_in_page_is_in_chinese(client):
    body = client.get("/accounts/login/").content.decode()
    assert "登录" in body and "用户名" in body and "密码" in body


def test_a_wrong_password_is_explained_in_chinese(client, auditor):
    response = client.post("/accounts/login/", {"username": auditor.username, "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_signing_in_takes_the_user_to_their_work(client, staff004):
    response = client.post(
        "/accounts/login/",
        {"username": staff004.username, "password": PERSONA_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/workbench/"
    assert "工作台" in response.content.decode()


def test_signing_out_takes_a_post_and_returns_to_sign_in(client_for):
    client = client_for("manager")
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert client.get("/cycles/2023/").status_code == 302
