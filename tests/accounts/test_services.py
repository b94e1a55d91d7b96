"""Account services without HTTP: registration numbers, password policy, one-time links."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.accounts import services
from planner.accounts.models import Company, Invitation, User
from planner.accounts.services import AccountError, CompanyDetails, TokenInvalid, TokenPurpose
from planner.vocab import SizeClass
from tests.factories import PASSWORD, brn_with_check_digit, make_company, make_user

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
DETAILS = CompanyDetails(legal_name="Hanbit Defence", size_class=SizeClass.small,
                         sectors=("land", "cyber"), products="Sights", employees=12,
                         export_record="", has_defence_exports=False)


# --- business registration numbers ---

@pytest.mark.parametrize("typed", ["220-81-12341", "2208112341", " 220 81 12341 "])
def test_registration_number_accepts_dashes_and_spaces(typed):
    assert services.normalise_registration_number(typed) == "2208112341"


def test_check_digit_matches_a_published_number():
    # 124-81-00998 is a widely published, valid Korean business registration number.
    assert services.brn_check_digit("124810099") == 8
    assert services.normalise_registration_number("124-81-00998") == "1248100998"


def test_check_digit_uses_the_tens_of_the_ninth_digit_times_five():
    # Ninth digit 9: 9*5 = 45 adds 4 on top of the weighted sum.
    number = brn_with_check_digit("123456789")
    assert services.brn_check_digit("123456789") == int(number[-1])
    assert number == "1234567891"


@pytest.mark.parametrize("typed", ["220-81-12342", "12345", "22081123411", "abcdefghij", ""])
def test_registration_number_with_wrong_check_digit_or_shape_is_refused(typed):
    with pytest.raises(AccountError):
        services.normalise_registration_number(typed)


# --- password policy ---

@pytest.mark.parametrize("password", ["short1!", "aaaaaaaaaaaaab", "1234567890", "Password123",
                                      "qwertyuiop", "minji-secure-pass"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(AccountError):
        services.check_password_policy(password, email="minji@hanbit.example")


@pytest.mark.parametrize("password", ["Password1!", "passwordpassword", "qwerty123456", "changeme12"])
def test_guessable_passwords_that_meet_the_length_rule_are_refused(password):
    # Issue 12, finding 7: these passed the length rule and the short list of common passwords.
    with pytest.raises(AccountError, match="too easy to guess|too common|repeats"):
        services.check_password_policy(password, email="minji@hanbit.example")


def test_the_strength_message_explains_the_rule():
    with pytest.raises(AccountError) as exc:
        services.check_password_policy("Password1!")
    assert "three or four unrelated words" in str(exc.value)


def test_a_long_uncommon_password_passes():
    services.check_password_policy("blue-falcon-harbour", email="minji@hanbit.example")


def test_password_policy_message_says_what_is_wrong():
    with pytest.raises(AccountError, match="10 characters"):
        services.check_password_policy("abc")
    with pytest.raises(AccountError, match="email"):
        services.check_password_policy("xx-minji-77-yy", email="Minji@hanbit.example")


def test_passwords_are_stored_as_scrypt_hashes(app):
    user = make_user(password="blue-falcon-harbour")
    assert user.password_hash.startswith("scrypt:")
    assert services.authenticate(user.email.upper(), "blue-falcon-harbour") == user
    assert services.authenticate(user.email, "wrong-password-123") is None


# --- registration ---

def test_registration_creates_company_and_unverified_first_user(app, db):
    user = services.register_company("220-81-12341", DETAILS, name="Kim", email=" Minji@Hanbit.example ",
                                      password="blue-falcon-harbour", now=NOW)
    company = db.session.get(Company, user.company_id)
    assert company.registration_number == "2208112341"
    assert company.past_shows == [] and company.prior_exhibitions == []  # chosen later, from the catalogue
    assert user.email == "minji@hanbit.example"
    assert user.email_verified_at is None


def test_registering_a_registered_number_again_is_refused_and_adds_nothing(app, db):
    make_company(registration_number="2208112341")
    with pytest.raises(AccountError, match="already registered"):
        services.register_company("220-81-12341", DETAILS, name="Kim", email="new@hanbit.example",
                                  password="blue-falcon-harbour")
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_losing_a_registration_race_is_an_account_error_and_keeps_the_session_usable(app, db, monkeypatch):
    # Another sign-up inserted the same number after our check: the unique constraint decides.
    earlier = make_company(registration_number="2208112341")
    monkeypatch.setattr(services.companies, "get_company_by_registration_number", lambda digits: None)
    with pytest.raises(AccountError, match="registered a moment ago"):
        services.register_company("220-81-12341", DETAILS, name="Kim", email="new@hanbit.example",
                                  password="blue-falcon-harbour")
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    assert db.session.get(Company, earlier.id) is earlier


def test_losing_an_invitation_race_is_an_account_error(app, db, monkeypatch):
    inviter = make_user()
    invitation = services.invite_colleague(inviter.company, "jiwoo@hanbit.example", actor=inviter, now=NOW)
    token = services.make_invitation_token(invitation, now=NOW)
    # The address got an account between the check and the insert.
    make_user(email="jiwoo@hanbit.example")
    monkeypatch.setattr(services.users, "ensure_email_free", lambda email: None)
    with pytest.raises(AccountError, match="already exists"):
        services.accept_invitation(token, name="Jiwoo", password="blue-falcon-harbour", now=NOW)
    assert db.session.get(Invitation, invitation.id).accepted_at is None


def test_a_weak_password_at_registration_leaves_no_company_behind(app, db):
    with pytest.raises(AccountError):
        services.register_company("220-81-12341", DETAILS, name="Kim", email="kim@hanbit.example",
                                  password="1234567890")
    assert db.session.scalar(db.select(db.func.count(Company.id))) == 0


def test_a_taken_email_makes_no_company_at_registration(app, db):
    # The answer does not say so (tests/accounts/test_no_account_disclosure.py): None, nothing made.
    make_user(email="kim@hanbit.example")
    companies = db.session.scalar(db.select(db.func.count(Company.id)))
    assert services.register_company("220-81-12341", DETAILS, name="Kim", email="KIM@hanbit.example",
                                     password="blue-falcon-harbour") is None
    assert db.session.scalar(db.select(db.func.count(Company.id))) == companies


def test_updating_a_company_keeps_its_registration_number(app):
    user = make_user()
    number = user.company.registration_number
    services.update_company(user.company, DETAILS, actor=user)
    assert user.company.legal_name == "Hanbit Defence"
    assert user.company.registration_number == number


def test_nobody_edits_another_companys_profile(app):
    user = make_user()
    other = make_company()
    with pytest.raises(AccountError):
        services.update_company(other, DETAILS, actor=user)


# --- one-time links ---

def test_verification_link_verifies_once(app):
    user = make_user(email_verified_at=None)
    token = services.make_user_token(TokenPurpose.verify_email, user, now=NOW)
    services.verify_email(token, now=NOW + dt.timedelta(hours=1))
    assert user.email_verified_at == NOW + dt.timedelta(hours=1)
    with pytest.raises(TokenInvalid) as exc:
        services.verify_email(token, now=NOW + dt.timedelta(hours=2))
    assert exc.value.reason == "used"


def test_verification_link_expires_after_48_hours(app):
    user = make_user(email_verified_at=None)
    token = services.make_user_token(TokenPurpose.verify_email, user, now=NOW)
    with pytest.raises(TokenInvalid) as exc:
        services.verify_email(token, now=NOW + dt.timedelta(hours=48, seconds=1))
    assert exc.value.reason == "expired"
    services.verify_email(token, now=NOW + dt.timedelta(hours=47))


def test_a_tampered_link_is_refused(app):
    user = make_user(email_verified_at=None)
    token = services.make_user_token(TokenPurpose.verify_email, user, now=NOW)
    with pytest.raises(TokenInvalid) as exc:
        services.verify_email(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), now=NOW)
    assert exc.value.reason == "invalid"


def test_a_reset_link_cannot_be_used_as_a_verification_link(app):
    user = make_user(email_verified_at=None)
    token = services.make_user_token(TokenPurpose.reset_password, user, now=NOW)
    with pytest.raises(TokenInvalid):
        services.verify_email(token, now=NOW)


def test_reset_link_expires_after_one_hour_and_works_once(app):
    user = make_user()
    token = services.make_user_token(TokenPurpose.reset_password, user, now=NOW)
    with pytest.raises(TokenInvalid, match="expired"):
        services.reset_password(token, "new-harbour-falcon", now=NOW + dt.timedelta(minutes=61))
    services.reset_password(token, "new-harbour-falcon", now=NOW + dt.timedelta(minutes=59))
    assert services.authenticate(user.email, "new-harbour-falcon") == user
    with pytest.raises(TokenInvalid) as exc:
        services.reset_password(token, "another-harbour-falcon", now=NOW + dt.timedelta(minutes=59))
    assert exc.value.reason == "used"


def test_changing_the_password_bumps_the_session_version_and_ends_old_sessions(app):
    user = make_user()
    old_id = user.get_id()
    assert services.load_user(old_id) == user
    services.change_password(user, PASSWORD, "new-harbour-falcon")
    assert services.load_user(old_id) is None
    services.start_session(user)
    assert services.load_user(user.get_id()) == user


def test_a_deactivated_account_loses_its_open_sessions(app):
    user = make_user()
    session_id = user.get_id()
    user.is_active_account = False
    assert services.load_user(session_id) is None


def test_changing_the_password_needs_the_current_one(app):
    user = make_user()
    with pytest.raises(AccountError, match="current password"):
        services.change_password(user, "not-my-password", "new-harbour-falcon")
    assert services.authenticate(user.email, PASSWORD) == user


def test_a_password_reset_also_invalidates_an_unused_verification_link(app):
    user = make_user(email_verified_at=None)
    verify = services.make_user_token(TokenPurpose.verify_email, user, now=NOW)
    reset = services.make_user_token(TokenPurpose.reset_password, user, now=NOW)
    services.reset_password(reset, "new-harbour-falcon", now=NOW)
    assert user.email_verified_at is not None  # the reset link proved the address
    with pytest.raises(TokenInvalid):
        services.verify_email(verify, now=NOW)


# --- invitations ---

def test_an_invitation_creates_a_verified_colleague_once(app):
    inviter = make_user()
    invitation = services.invite_colleague(inviter.company, "Lee@Hanbit.example", actor=inviter, now=NOW)
    token = services.make_invitation_token(invitation, now=NOW)
    colleague = services.accept_invitation(token, name="Lee", password="blue-falcon-harbour",
                                           now=NOW + dt.timedelta(days=6))
    assert colleague.company_id == inviter.company_id
    assert colleague.email == "lee@hanbit.example"
    assert colleague.email_verified_at is not None
    with pytest.raises(TokenInvalid) as exc:
        services.accept_invitation(token, name="Lee", password="blue-falcon-harbour",
                                   now=NOW + dt.timedelta(days=6))
    assert exc.value.reason == "used"


def test_an_invitation_expires_after_seven_days(app):
    inviter = make_user()
    invitation = services.invite_colleague(inviter.company, "lee@hanbit.example", actor=inviter, now=NOW)
    token = services.make_invitation_token(invitation, now=NOW)
    with pytest.raises(TokenInvalid, match="expired"):
        services.invitation_for_token(token, now=NOW + dt.timedelta(days=7, seconds=1))
    assert services.list_pending_invitations(inviter.company, now=NOW + dt.timedelta(days=8)) == []


def test_inviting_a_member_of_the_own_company_is_refused(app):
    inviter = make_user()
    colleague = make_user(company=inviter.company)
    with pytest.raises(AccountError, match="already a member"):
        services.invite_colleague(inviter.company, colleague.email, actor=inviter)


def test_inviting_the_same_address_twice_renews_one_invitation(app, db):
    inviter = make_user()
    first = services.invite_colleague(inviter.company, "lee@hanbit.example", actor=inviter, now=NOW)
    again = services.invite_colleague(inviter.company, "lee@hanbit.example", actor=inviter,
                                      now=NOW + dt.timedelta(days=3))
    assert again.id == first.id
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 1


def test_a_withdrawn_invitation_link_stops_working(app):
    inviter = make_user()
    invitation = services.invite_colleague(inviter.company, "lee@hanbit.example", actor=inviter, now=NOW)
    token = services.make_invitation_token(invitation, now=NOW)
    services.revoke_invitation(inviter.company, invitation.id, actor=inviter)
    with pytest.raises(TokenInvalid, match="withdrawn"):
        services.invitation_for_token(token, now=NOW)


def test_nobody_withdraws_another_companys_invitation(app):
    inviter = make_user()
    stranger = make_user()
    invitation = services.invite_colleague(inviter.company, "lee@hanbit.example", actor=inviter)
    with pytest.raises(AccountError):
        services.revoke_invitation(stranger.company, invitation.id, actor=stranger)


def test_masked_email_hides_the_local_part():
    assert services.mask_email("minji@hanbit.example") == "m***@hanbit.example"


def test_unverified_users_are_refused_where_verification_is_required(app):
    with pytest.raises(services.EmailNotVerified):
        services.ensure_email_verified(make_user(email_verified_at=None))
    services.ensure_email_verified(make_user())


def test_line_breaks_in_names_are_flattened_so_mail_headers_stay_valid(app):
    user = services.register_company("220-81-12341", DETAILS, name="Kim\r\nBcc: x@evil.example",
                                      email="kim@hanbit.example", password="blue-falcon-harbour")
    assert user.name == "Kim Bcc: x@evil.example"
