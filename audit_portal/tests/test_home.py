from agencies.models import Cycle


def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    response = client_for("anonymous").get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_managers_and_administrators_land_on_the_current_cycle(client_for):
    for persona in ("manager", "administrator"):
        response = client_for(persona).get("/")
        assert response["Location"] == "/cycles/2023/", persona


def test_auditors_land_on_their_agencies(client_for):
    assert client_for("auditor").get("/")["Location"] == "/cycles/2023/mine/"


def test_agency_staff_land_on_their_own_agency(client_for):
    assert client_for("staff004").get("/")["Location"] == "/cycles/2023/agencies/004/"
    assert client_for("staff007").get("/")["Location"] == "/cycles/2023/agencies/007/"


def test_the_newest_cycle_is_the_current_one(client_for, cycle):
    Cycle.objects.create(year=2024, title="2024年度稽核")
    assert client_for("manager").get("/")["Location"] == "/cycles/2024/"


def test_agency_staff_not_on_the_roster_are_told_so(client_for):
    Cycle.objects.create(year=2024, title="2024年度稽核")
    response = client_for("staff004").get("/")
    assert response.status_code == 200
    assert "未列入本年度稽核名单" in response.content.decode()
