def test_office_staff_see_the_cycles_with_their_roster_size(client_for):
    response = client_for("auditor").get("/cycles/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2023年度稽核" in body
    assert [c.agency_count for c in response.context["cycles"]] == [50]


def test_agency_staff_are_refused_in_chinese(client_for):
    response = client_for("staff004").get("/cycles/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
