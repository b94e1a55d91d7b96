"""Passwords: the policy new passwords must meet, hashing, and setting or changing one."""
from __future__ import annotations

from collections import Counter

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from planner.accounts.models import User
from planner.accounts.services.errors import AccountError
from planner.accounts.services.sessions import end_all_sessions
from planner.extensions import db
from planner.i18n import _

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn's score from 0 to 4; 3 means "safely unguessable" (about 10^8 guesses or more).
MIN_PASSWORD_SCORE = 3

# A short list of passwords that meet the length rule yet fall to the first guesses of any attacker.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop",
    "qwerty1234", "qwerty12345", "password12", "password123", "password1234", "passw0rd123",
    "iloveyou12", "abcdefghij", "abcd123456", "abc1234567", "a123456789", "asdfghjkl1",
    "asdfghjkl;", "zaq12wsxcde", "q1w2e3r4t5", "p@ssw0rd12", "p@ssword123", "letmein123",
    "welcome123", "admin12345", "administrator", "changeme123", "football123", "baseball123",
    "sunshine123", "superman123", "princess123", "dragon1234", "monkey1234", "trustno1234",
    "korea12345", "seoul12345", "samsung123", "defence123", "defense123", "exhibition",
})


def hash_password(password: str) -> str:
    # Werkzeug's default is scrypt, a memory-hard scheme.
    return generate_password_hash(password)


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """Refuse passwords that are short, mostly one character, contain the email's local part,
    are on the list of common passwords, or that zxcvbn finds easy to guess. Raises
    AccountError with the reason."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Passwords need at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(_("Passwords may have at most %(n)s characters.", n=MAX_PASSWORD_LENGTH))
    folded = password.casefold()
    _char, count = Counter(folded).most_common(1)[0]
    if count * 2 > len(folded) or len(set(folded)) < 4:
        raise AccountError(_("This password repeats one character too often; choose a less predictable one."))
    if folded in COMMON_PASSWORDS or folded.rstrip("!.1") in COMMON_PASSWORDS:
        raise AccountError(_("This password is too common; choose a less predictable one."))
    if email:
        local = email.strip().lower().partition("@")[0]
        if len(local) >= 3 and local in folded:
            raise AccountError(_("Passwords may not contain your email address."))
    # zxcvbn estimates how many guesses a password takes, knowing common passwords, words, names,
    # keyboard walks, dates and "l33t" spellings: "Password1!" or "qwerty123456" pass any rule
    # about lengths and character classes, yet fall in the first thousand guesses. Score 3 is
    # about 10^8 guesses. Only the first 100 characters are scored: the estimate grows slow on
    # long input, and a password that long is strong anyway.
    hints = [email, email.partition("@")[0]] if email else []
    if zxcvbn(password[:100], user_inputs=hints)["score"] < MIN_PASSWORD_SCORE:
        raise AccountError(_("This password is too easy to guess: common words, names, keyboard "
                             "patterns, dates and swapped letters (like 0 for o) are what attackers "
                             "try first. Use three or four unrelated words, or a longer mix."))


def set_password(user: User, password: str) -> None:
    """Store a new password and bump the session version, which logs out every session and
    remember-me cookie of this user (the caller logs the current session in again)."""
    check_password_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 1) + 1
    end_all_sessions(user)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a logged-in user's password after checking the current one."""
    if not check_password_hash(user.password_hash, current_password):
        raise AccountError(_("Your current password is not correct."))
    if current_password == new_password:
        raise AccountError(_("Choose a new password that differs from the current one."))
    set_password(user, new_password)
