def test_partner_home_for_member(as_user, world):
    response = as_user("alpha_operator", world.alpha).get("/")
    assert response.status_code == 200
    assert b"Alpha Machining" in response.content
