"""Account pages through HTTP: sign-up, verification, login, passwords, company page, invitations."""
from __future__ import annotations

import datetime as dt

from planner.accounts import services
from planner.accounts.models import Company, Invitation, User
from planner.accounts.services import TokenPurpose
from planner.extensions import db
from planner.notifications.models import OutboxMessage
from tests.accounts.conftest import link_path, outbox, registration_data
from tests.factories import PASSWORD, make_company, make_coordinator, make_user


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _login(client, email, password=PASSWORD, **extra):
    return client.post("/account/login", data={"email": email, "password": password, **extra})


# --- registration and verification ---

def test_registration_creates_company_and_user_and_queues_a_verification_mail(client):
    response = client.post("/account/register", data=registration_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/check-email")
    page = client.get(response.headers["Location"])
    assert "minji@hanbit.example" in page.text
    # Not signed in yet: a registration with a taken address must answer the same (issue 12).
    assert client.get("/account/company").status_code == 302
    user = db.session.scalar(db.select(User))
    assert user.company.registration_number == "2208112341"
    assert user.company.sectors == ["land", "security"]
    assert user.email_verified_at is None
    [mail] = outbox("minji@hanbit.example")
    assert mail.is_sensitive
    assert mail.sent_at is not None  # development: delivered right after the request
    assert "http://localhost:5000/account/verify/" in mail.body_text


def test_register_verify_login_and_password_change_logs_other_sessions_out(app, client):
    client.post("/account/register", data=registration_data())
    [mail] = outbox()
    assert _login(client, "minji@hanbit.example", "blue-falcon-harbour").status_code == 302
    assert "Please verify your email" in client.get("/account/company").text
    response = client.get(link_path(mail))
    assert response.status_code == 302
    assert "Please verify your email" not in client.get("/account/company").text
    assert db.session.scalar(db.select(User)).email_verified_at is not None

    other_device = app.test_client()
    assert _login(other_device, "minji@hanbit.example", "blue-falcon-harbour",
                  remember="y").status_code == 302
    assert other_device.get("/account/company").status_code == 200

    response = client.post("/account/password", data={
        "current_password": "blue-falcon-harbour", "password": "new-harbour-falcon",
        "confirm": "new-harbour-falcon"})
    assert response.status_code == 302
    assert client.get("/account/company").status_code == 200  # this session stays logged in
    assert other_device.get("/account/company").status_code == 302  # the other is logged out
    assert _login(app.test_client(), "minji@hanbit.example", "new-harbour-falcon").status_code == 302


def test_a_used_verification_link_shows_a_clear_message_and_a_resend_button(client):
    client.post("/account/register", data=registration_data())
    path = link_path(outbox()[0])
    client.get(path)
    response = client.get(path)
    assert response.status_code == 400
    assert "already been used" in response.text


def test_an_expired_verification_link_offers_a_new_one(client):
    user = make_user(email_verified_at=None)
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=49)
    token = services.make_user_token(TokenPurpose.verify_email, user, now=old)
    db.session.commit()
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    response = client.get(f"/account/verify/{token}")
    assert response.status_code == 400
    assert "expired" in response.text
    assert "/account/verify/resend" in response.text
    before = _count(OutboxMessage)
    assert client.post("/account/verify/resend").status_code == 302
    assert _count(OutboxMessage) == before + 1
    assert client.get(link_path(outbox(user.email)[-1])).status_code == 302
    assert db.session.get(User, user.id).email_verified_at is not None


def test_a_tampered_verification_link_is_refused(client):
    assert client.get("/account/verify/not-a-real-token").status_code == 400


def test_registration_with_a_bad_check_digit_keeps_what_was_typed(client):
    response = client.post("/account/register", data=registration_data(registration_number="220-81-12342"))
    assert response.status_code == 400
    assert "check digit" in response.text
    assert "Hanbit Defence Co., Ltd." in response.text
    assert _count(Company) == 0 and _count(User) == 0


def test_registering_a_number_that_is_already_registered_says_so(client):
    make_company(registration_number="2208112341")
    db.session.commit()
    response = client.post("/account/register", data=registration_data(email="other@hanbit.example"))
    assert response.status_code == 400
    assert "already registered" in response.text
    assert _count(User) == 0 and _count(OutboxMessage) == 0


def test_registration_refuses_missing_fields_wrong_types_and_overlong_text(client):
    response = client.post("/account/register", data=registration_data(
        legal_name="", employees="many", products="x" * 2001, sectors=[]))
    assert response.status_code == 400
    assert response.text.count('class="field-error"') >= 4
    assert _count(Company) == 0


def test_registration_refuses_a_weak_or_mismatched_password(client):
    response = client.post("/account/register", data=registration_data(password="1234567890", confirm="1234567890"))
    assert response.status_code == 400 and "too common" in response.text
    response = client.post("/account/register", data=registration_data(confirm="something-else-entirely"))
    assert response.status_code == 400 and "do not match" in response.text
    assert _count(Company) == 0


def test_a_password_against_the_policy_is_shown_at_the_field_with_the_other_errors(client):
    # Not one error per round trip: a short password and an unticked sector come back together,
    # the password's reason next to its field.
    response = client.post("/account/register", data=registration_data(
        password="short", confirm="short", sectors=[]))
    assert response.status_code == 400
    assert "at least 10 characters" in response.text and "Choose at least one sector." in response.text
    assert 'id="password-error-1"' in response.text
    assert _count(Company) == 0


def test_html_in_company_text_is_shown_escaped(client, login_as):
    client.post("/account/register", data=registration_data(legal_name="<script>alert(1)</script> Co",
                                                          products="<b>bold</b>"))
    _login(client, "minji@hanbit.example", "blue-falcon-harbour")
    page = client.get("/account/company").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Co" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


# --- login ---

def test_login_with_wrong_password_or_unknown_email_gives_the_same_message(client):
    user = make_user()
    db.session.commit()
    wrong = _login(client, user.email, "wrong-password-123")
    unknown = _login(client, "nobody@example.com", "wrong-password-123")
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text


def test_login_records_the_time_and_follows_a_safe_next(client):
    user = make_user()
    db.session.commit()
    response = client.post("/account/login?next=/account/company", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account/company"
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_ignores_a_next_that_leaves_the_site(client):
    user = make_user()
    db.session.commit()
    response = client.post("/account/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_remember_me_sets_a_cookie_that_a_password_change_invalidates(app, client):
    user = make_user()
    db.session.commit()
    _login(client, user.email, remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert fresh.get("/account/company").status_code == 200
    services.set_password(db.session.get(User, user.id), "new-harbour-falcon")
    db.session.commit()
    stale = app.test_client()
    stale.set_cookie("remember_token", cookie.value)
    assert stale.get("/account/company").status_code == 302


def test_logout_needs_post_and_ends_the_session(client, login_as):
    user = make_user()
    db.session.commit()
    login_as(user)
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 302
    assert client.get("/account/company").status_code == 302


# --- password reset ---

def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client):
    user = make_user()
    db.session.commit()
    known = client.post("/account/password/forgot", data={"email": user.email})
    unknown = client.post("/account/password/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(user.email, "X") == unknown.text.replace("nobody@example.com", "X")
    # Issue 12, finding 6: the same work either way, one queued mail; the stranger's says no
    # account uses the address.
    assert [m.to_addr for m in outbox()] == [user.email, "nobody@example.com"]
    assert all(m.is_sensitive for m in outbox())
    assert "/account/reset/" in outbox()[0].body_text
    assert "no active account" in outbox()[1].body_text and "/account/reset/" not in outbox()[1].body_text


def test_a_reset_link_sent_before_deactivation_no_longer_works(client):
    # Issue 12, finding 8: it still changed the password and marked the email verified.
    user = make_user(email_verified_at=None)
    db.session.commit()
    client.post("/account/password/forgot", data={"email": user.email})
    path = link_path(outbox()[0])
    user.is_active_account = False
    db.session.commit()
    assert client.get(path).status_code == 400
    response = client.post(path, data={"password": "new-harbour-falcon", "confirm": "new-harbour-falcon"})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.email_verified_at is None
    assert services.authenticate(user.email, PASSWORD) is None  # inactive, and the password unchanged
    user.is_active_account = True
    assert services.authenticate(user.email, PASSWORD) == user


def test_reset_link_sets_a_new_password_once_and_logs_other_sessions_out(app, client):
    user = make_user()
    db.session.commit()
    other_device = app.test_client()
    _login(other_device, user.email)
    client.post("/account/password/forgot", data={"email": user.email})
    path = link_path(outbox()[0])
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "new-harbour-falcon", "confirm": "new-harbour-falcon"})
    assert response.status_code == 302
    assert client.get("/account/company").status_code == 200
    assert other_device.get("/account/company").status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in again.text
    assert _login(app.test_client(), user.email, "new-harbour-falcon").status_code == 302


def test_a_reset_with_a_weak_password_changes_nothing(client):
    user = make_user()
    db.session.commit()
    client.post("/account/password/forgot", data={"email": user.email})
    path = link_path(outbox()[0])
    response = client.post(path, data={"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert response.status_code == 400
    assert services.authenticate(user.email, PASSWORD) is not None
    assert client.get(path).status_code == 200  # the link still works


def test_change_password_with_a_wrong_current_password_is_refused(client, login_as):
    user = make_user()
    db.session.commit()
    login_as(user)
    response = client.post("/account/password", data={"current_password": "nope-nope-nope",
                                                       "password": "new-harbour-falcon",
                                                       "confirm": "new-harbour-falcon"})
    assert response.status_code == 400
    assert "current password is not correct" in response.text


# --- company page ---

def test_company_page_shows_only_the_users_own_company(client, login_as):
    mine = make_user()
    other = make_user()
    db.session.commit()
    login_as(mine)
    page = client.get("/account/company").text
    assert mine.company.legal_name in page
    assert other.company.legal_name not in page and other.email not in page


def test_company_pages_need_a_login_and_a_company(client, login_as):
    assert client.get("/account/company").status_code == 302
    login_as(make_coordinator())
    db.session.commit()
    assert client.get("/account/company").status_code == 403
    assert client.get("/account/company/edit").status_code == 403


def test_editing_the_profile_saves_it_and_never_the_registration_number(client, login_as):
    user = make_user()
    number = user.company.registration_number
    db.session.commit()
    login_as(user)
    form = client.get("/account/company/edit")
    assert form.status_code == 200 and user.company.legal_name in form.text
    response = client.post("/account/company/edit", data={
        "legal_name": "Renamed Co", "size_class": "medium", "sectors": ["air"], "employees": "60",
        "registration_number": "1248100998"})
    assert response.status_code == 302
    company = db.session.get(Company, user.company_id)
    assert (company.legal_name, company.size_class, company.sectors) == ("Renamed Co", "medium", ["air"])
    assert company.registration_number == number


def test_editing_the_profile_with_bad_input_saves_nothing(client, login_as):
    user = make_user()
    name = user.company.legal_name
    db.session.commit()
    login_as(user)
    response = client.post("/account/company/edit", data={"legal_name": "x" * 201, "size_class": "huge",
                                                         "sectors": ["land"]})
    assert response.status_code == 400
    assert db.session.get(Company, user.company_id).legal_name == name


# --- invitations ---

def test_inviting_a_colleague_who_joins_the_company(app, client, login_as):
    inviter = make_user()
    db.session.commit()
    login_as(inviter)
    response = client.post("/account/company/invitations", data={"email": "lee@hanbit.example"})
    assert response.status_code == 302
    assert "lee@hanbit.example" in client.get("/account/company").text
    [mail] = outbox("lee@hanbit.example")
    assert mail.is_sensitive and inviter.company.legal_name in mail.body_text

    invitee = app.test_client()
    path = link_path(mail)
    assert invitee.get(path).status_code == 200
    response = invitee.post(path, data={"name": "Lee Jun", "password": "blue-falcon-harbour",
                                        "confirm": "blue-falcon-harbour"})
    assert response.status_code == 302
    page = invitee.get("/account/company").text
    assert inviter.company.legal_name in page and "Lee Jun" in page
    joined = db.session.scalar(db.select(User).where(User.email == "lee@hanbit.example"))
    assert joined.company_id == inviter.company_id and joined.email_verified_at is not None
    assert db.session.scalar(db.select(Invitation)).accepted_at is not None
    used = app.test_client().get(path)
    assert used.status_code == 400 and "already been accepted" in used.text


def test_inviting_a_bad_address_is_refused(client, login_as):
    inviter = make_user()
    db.session.commit()
    login_as(inviter)
    response = client.post("/account/company/invitations", data={"email": "not-an-address"})
    assert response.status_code == 400
    assert _count(Invitation) == 0 and _count(OutboxMessage) == 0


def test_nobody_withdraws_another_companys_invitation(client, login_as):
    inviter = make_user()
    stranger = make_user()
    invitation = services.invite_colleague(inviter.company, "lee@hanbit.example", actor=inviter)
    db.session.commit()
    login_as(stranger)
    assert client.post(f"/account/company/invitations/{invitation.id}/revoke").status_code == 404
    assert db.session.get(Invitation, invitation.id) is not None


def test_unverified_users_see_a_banner_on_their_pages(client, login_as):
    user = make_user(email_verified_at=None)
    db.session.commit()
    login_as(user)
    assert "Please verify your email" in client.get("/account/company").text


def test_token_pages_keep_their_token_out_of_referers_and_caches(client):
    response = client.get("/account/reset/whatever")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_invitation_opened_while_logged_in_as_someone_else_asks_to_log_out(client, login_as):
    inviter = make_user()
    invitation = services.invite_colleague(inviter.company, "lee@hanbit.example", actor=inviter)
    token = services.make_invitation_token(invitation)
    stranger = make_user()
    db.session.commit()
    login_as(stranger)
    page = client.get(f"/account/invitations/{token}")
    assert "Log out first" in page.text
    assert client.post(f"/account/invitations/{token}", data={
        "name": "X", "password": "blue-falcon-harbour", "confirm": "blue-falcon-harbour"}).status_code == 200
    assert db.session.scalar(db.select(User).where(User.email == "lee@hanbit.example")) is None


def test_a_logged_in_user_is_sent_on_from_login_and_register(client, login_as):
    user = make_user()
    db.session.commit()
    login_as(user)
    assert client.get("/account/login").status_code == 302
    assert client.get("/account/register").headers["Location"].endswith("/account/company")



def test_an_unverified_user_cannot_invite_yet(client, login_as):
    user = make_user(email_verified_at=None)
    db.session.commit()
    login_as(user)
    response = client.post("/account/company/invitations", data={"email": "lee@hanbit.example"})
    assert response.status_code == 400
    assert "confirm your email address first" in response.text
    assert _count(Invitation) == 0
