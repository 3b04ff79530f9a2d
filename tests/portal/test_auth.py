import re

from django.test import Client

from ..factories import PASSWORD


def test_anonymous_gets_the_sign_in_page(world):
    response = Client(HTTP_HOST="alpha.localhost").get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/")
    assert b"Partner portal of Alpha Machining" in response.content


def test_sign_in_at_partner_host_shows_home(world):
    client = Client(HTTP_HOST="alpha.localhost")
    response = client.post(
        "/accounts/login/", {"username": "alpha_operator", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert b"Welcome to Alpha Machining" in response.content


def test_member_of_another_partner_gets_403_not_data(world):
    client = Client(HTTP_HOST="alpha.localhost")
    client.post("/accounts/login/", {"username": "beta_operator", "password": PASSWORD})
    response = client.get("/")
    assert response.status_code == 403
    assert b"not a member of Alpha Machining" in response.content
    assert b"Welcome" not in response.content


def test_unknown_host_gets_a_clear_404_page(world):
    response = Client(HTTP_HOST="nosuchpartner.localhost").get("/")
    assert response.status_code == 404
    assert b"There is no partner at nosuchpartner.localhost" in response.content
    assert b"Traceback" not in response.content


def test_lockout_after_repeated_failures(world, settings):
    client = Client(HTTP_HOST="alpha.localhost")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alpha_quality", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "alpha_quality", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    from portal.models import AuditEntry

    assert AuditEntry.objects.filter(action="auth.locked_out", actor_label="alpha_quality").exists()


def test_forms_need_a_csrf_token(world):
    client = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alpha_operator", "password": PASSWORD})
    assert response.status_code == 403
    page = client.get("/accounts/login/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_password_reset_sends_a_link_for_this_host(world, mailoutbox):
    client = Client(HTTP_HOST="alpha.localhost")
    response = client.post("/accounts/password/reset/", {"email": "alpha_operator@example.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"http://alpha\.localhost(/accounts/reset/\S+)", mailoutbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert b"Set a password" in response.content
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "an0ther-Long-pass", "new_password2": "an0ther-Long-pass"},
    )
    assert response.status_code == 302
    fresh = Client(HTTP_HOST="alpha.localhost")
    response = fresh.post(
        "/accounts/login/", {"username": "alpha_operator", "password": "an0ther-Long-pass"}
    )
    assert response.status_code == 302


def test_password_change_is_audited(as_user, world):
    client = as_user("alpha_operator", world.alpha)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Xy-9876-long-enough",
            "new_password2": "Xy-9876-long-enough",
        },
    )
    assert response.status_code == 302
    from portal.models import AuditEntry

    assert AuditEntry.objects.filter(action="auth.password_changed").exists()


def test_profile_timezone_changes_displayed_times(as_user, world):
    client = as_user("alpha_operator", world.alpha)
    response = client.post(
        "/accounts/profile/",
        {"first_name": "Al", "last_name": "Op", "timezone": "Asia/Tokyo", "language": "en"},
    )
    assert response.status_code == 302
    assert b"Times in Asia/Tokyo" in client.get("/").content
