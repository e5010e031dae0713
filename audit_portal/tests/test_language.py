def test_english_is_one_choice_away(client_for):
    client = client_for("manager")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cycles/2023/"})
    assert response["Location"] == "/cycles/2023/"
    body = client.get("/cycles/2023/").content.decode()
    assert '<html lang="en">' in body
    assert "Agency" in body and "Not started" in body


def test_the_browser_language_does_not_switch_away_from_chinese(client_for):
    response = client_for("manager").get("/cycles/2023/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "zh-hans"


def test_an_unknown_language_cookie_falls_back_to_chinese(client_for):
    client = client_for("manager")
    client.cookies["django_language"] = "xx"
    assert client.get("/cycles/2023/")["Content-Language"] == "zh-hans"


def test_a_request_in_english_leaves_the_thread_in_chinese(db):
    from django.test import Client
    from django.utils import translation

    client = Client()
    client.cookies["django_language"] = "en"
    assert "Sign in" in client.get("/accounts/login/").content.decode()
    assert translation.get_language() == "zh-hans"
