"""Issue 12: registering and inviting answer the same whether or not the address has an
account; the owner of an existing account is told by mail, and the account is left alone."""
from __future__ import annotations

import re

from planner.accounts import emails, services
from planner.accounts.models import Company, Invitation, User
from planner.extensions import db
from planner.notifications.models import OutboxMessage
from tests.accounts.conftest import outbox, registration_data
from tests.accounts.test_services import DETAILS
from tests.factories import PASSWORD, brn_with_check_digit, make_user

OTHER_NUMBER = brn_with_check_digit("314159265")


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _shape(client, response, *, address: str = "") -> tuple:
    """What the requester sees: status, redirect, flashed messages and the page it leads to,
    without CSRF tokens (and with the typed address, where two runs had to type different ones)."""
    with client.session_transaction() as session:
        flashes = list(session.get("_flashes", []))
    location = response.headers.get("Location")
    page = client.get(location) if location else response
    body = re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"\s+name="csrf_token"', "", page.text)
    body = re.sub(r'<meta name="csrf-token"[^>]*>', "", body)
    text = (response.status_code, location, page.status_code, repr(flashes), body)
    return tuple(part.replace(address, "<address>") if address and isinstance(part, str) else part for part in text)


# --- registration ---

def test_registering_with_an_address_that_has_an_account_answers_like_a_new_one(app):
    first = app.test_client()
    before = _count(OutboxMessage)
    fresh = first.post("/account/register", data=registration_data())
    fresh_shape = _shape(first, fresh)
    mails_fresh = _count(OutboxMessage) - before
    owner = db.session.scalar(db.select(User).where(User.email == "minji@hanbit.example"))
    owner_state = (owner.password_hash, owner.company_id, owner.name, owner.session_version)

    second = app.test_client()
    before = _count(OutboxMessage)
    taken = second.post("/account/register", data=registration_data(
        registration_number=OTHER_NUMBER, legal_name="Someone Else Co.", name="Intruder",
        email="MINJI@hanbit.example", password="other-falcon-harbour", confirm="other-falcon-harbour"))
    assert _shape(second, taken) == fresh_shape, re.findall(r"(?:field-error|form-error)[^<]*<[^<]*", taken.text)
    assert fresh.status_code == 302 and "check-email" in fresh.headers["Location"]
    assert _count(OutboxMessage) - before == mails_fresh == 1

    # Nothing was made or changed: one company, the owner's account as it was, not signed in.
    assert _count(Company) == 1 and _count(User) == 1
    db.session.refresh(owner)
    assert (owner.password_hash, owner.company_id, owner.name, owner.session_version) == owner_state
    assert second.get("/account/company").status_code == 302
    assert "Intruder" not in second.get("/account/check-email").text


def test_the_owner_of_the_address_is_told_by_mail_with_links_to_log_in_and_reset(app, client):
    owner = make_user(email="minji@hanbit.example", name="Kim Minji")
    db.session.commit()
    client.post("/account/register", data=registration_data())
    [mail] = outbox("minji@hanbit.example")
    assert "tried to register" in mail.subject
    assert "already has an account" in mail.body_text and "not changed" in mail.body_text
    assert "/account/login" in mail.body_text and "/account/password/forgot" in mail.body_text
    assert "/account/verify/" not in mail.body_text
    assert mail.is_sensitive
    assert services.authenticate(owner.email, PASSWORD) is not None


def test_the_owner_is_told_in_their_own_language(app, client):
    make_user(email="minji@hanbit.example", locale="ko")
    db.session.commit()
    client.post("/account/register", data=registration_data(), headers={"Accept-Language": "en"})
    [mail] = outbox("minji@hanbit.example")
    assert "이미 계정이" in mail.body_text


def test_a_weak_password_is_refused_the_same_with_or_without_an_account(app):
    make_user(email="taken@hanbit.example")
    db.session.commit()
    answers = []
    for email in ("taken@hanbit.example", "free@hanbit.example"):
        client = app.test_client()
        response = client.post("/account/register", data=registration_data(
            email=email, password="1234567890", confirm="1234567890"))
        answers.append(_shape(client, response, address=email))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert _count(OutboxMessage) == 0


def test_service_registration_leaves_an_existing_account_alone(app, db):
    owner = make_user(email="kim@hanbit.example")
    hash_before, company_before = owner.password_hash, owner.company_id
    companies = _count(Company)
    assert services.register_company("220-81-12341", DETAILS, name="Kim", email="KIM@hanbit.example",
                                     password="blue-falcon-harbour") is None
    assert _count(Company) == companies
    assert (owner.password_hash, owner.company_id) == (hash_before, company_before)


def test_answer_registration_queues_one_mail_either_way(app, db):
    make_user(email="kim@hanbit.example")
    emails.answer_registration("220-81-12341", DETAILS, name="Kim", email="kim@hanbit.example",
                               password="blue-falcon-harbour")
    emails.answer_registration(OTHER_NUMBER, DETAILS, name="Lee", email="lee@hanbit.example",
                               password="blue-falcon-harbour")
    assert [m.to_addr for m in outbox()] == ["kim@hanbit.example", "lee@hanbit.example"]
    assert "/account/verify/" in outbox("lee@hanbit.example")[0].body_text
    assert "/account/verify/" not in outbox("kim@hanbit.example")[0].body_text


# --- invitations ---



def test_inviting_an_address_with_an_account_answers_like_any_invitation(app, client, login_as):
    inviter = make_user(name="Park Inviter")
    elsewhere = make_user(email="park@elsewhere.example")
    db.session.commit()
    state = (elsewhere.company_id, elsewhere.password_hash, elsewhere.session_version)
    login_as(inviter)

    before = _count(OutboxMessage)
    fresh = client.post("/account/company/invitations", data={"email": "lee@hanbit.example"})
    fresh_shape = _shape(client, fresh, address="lee@hanbit.example")
    mails_fresh = _count(OutboxMessage) - before

    # The same company page both times: one pending invitation, to the address typed.
    services.revoke_invitation(inviter.company, db.session.scalar(db.select(Invitation.id)), actor=inviter)
    db.session.commit()

    before = _count(OutboxMessage)
    taken = client.post("/account/company/invitations", data={"email": "park@elsewhere.example"})
    taken_shape = _shape(client, taken, address="park@elsewhere.example")
    mails_taken = _count(OutboxMessage) - before

    assert fresh.status_code == 302
    invitation_ids = re.compile(r"/invitations/\d+/")
    assert [invitation_ids.sub("/invitations/N/", str(part)) for part in taken_shape] == \
        [invitation_ids.sub("/invitations/N/", str(part)) for part in fresh_shape]
    assert mails_taken == mails_fresh == 1

    db.session.refresh(elsewhere)
    assert (elsewhere.company_id, elsewhere.password_hash, elsewhere.session_version) == state
    [note] = outbox("park@elsewhere.example")
    assert "Park Inviter" in note.body_text and inviter.company.legal_name in note.body_text
    assert "already has an account" in note.body_text
    assert "/account/invitations/" not in note.body_text  # no link that could attach the account
    assert "/account/login" in note.body_text


def test_inviting_a_member_of_the_own_company_says_so(client, login_as):
    inviter = make_user()
    colleague = make_user(company=inviter.company)
    db.session.commit()
    login_as(inviter)
    response = client.post("/account/company/invitations", data={"email": colleague.email})
    assert response.status_code == 400 and "already a member of your company" in response.text
    assert _count(Invitation) == 0 and _count(OutboxMessage) == 0


def test_service_invitation_of_an_account_elsewhere_does_not_attach_it(app, db):
    inviter = make_user()
    elsewhere = make_user()
    invitation = services.invite_colleague(inviter.company, elsewhere.email.upper(), actor=inviter)
    emails.send_invitation(invitation, inviter=inviter)
    assert invitation.email == elsewhere.email
    assert elsewhere.company_id != inviter.company_id
    [note] = outbox(elsewhere.email)
    assert "cannot add you" in note.body_text
