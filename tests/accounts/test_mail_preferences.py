"""Each user chooses the language of their mail and which optional mails they receive."""
from __future__ import annotations

from planner.accounts.recipients import user_recipient
from planner.notifications import preferences, services
from tests.factories import make_user


def test_a_user_turns_reminders_off_and_chooses_korean_mail(app, db, client, login_as):
    user = make_user(locale="en")
    db.session.commit()
    login_as(user)
    page = client.get("/account/mail")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'value="reminders" checked' in text or "reminders" in text
    response = client.post("/account/mail", data={"locale": "ko", "receive": ["announcements"]})
    assert response.status_code == 303
    db.session.expire_all()
    assert user.locale == "ko"
    assert preferences.categories_off(user.email) == {"reminders", "exhibition_updates"}
    # The next optional reminder skips them; an announcement reaches them, in Korean.
    recipient = user_recipient(user)
    context = {"user": user, "link": "https://planner.example/x", "hours": 1}
    assert services.notify([recipient], "accounts/email/verify.txt", category="reminders", **context) == []
    [mail] = services.notify([recipient], "accounts/email/verify.txt", category="announcements", **context)
    assert "안녕하십니까" in mail.body_text


def test_a_language_other_than_english_or_korean_is_refused(app, db, client, login_as):
    user = make_user(locale="en")
    db.session.commit()
    login_as(user)
    response = client.post("/account/mail", data={"locale": "fr", "receive": []})
    assert response.status_code == 400
    db.session.expire_all()
    assert user.locale == "en" and preferences.categories_off(user.email) == set()


def test_mail_settings_need_a_login(client):
    response = client.get("/account/mail")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
