"""What a new password must be (NIST SP 800-63B 5.1.1.2): long enough, not a common password, not the
person's own e-mail or name. No composition rules (no "one digit, one symbol")."""

from __future__ import annotations

import functools

MIN_LENGTH = 12
MAX_LENGTH = 256


@functools.cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30 000 most common passwords of public breach corpora, ranked; loaded on first use.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why `password` may not be chosen (a sentence for the person), or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters (a few words make a long password easy to remember)"
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters"
    folded = password.casefold()
    if folded in _common_passwords() or folded.strip() in _common_passwords():
        return "This password is one of the most common ones: choose another"
    if len(set(folded)) <= 2:
        return "This password repeats the same characters: choose another"
    context = {email.casefold(), email.split("@")[0].casefold(), display_name.casefold()} - {""}
    if folded in context or folded.replace(" ", "") in {c.replace(" ", "") for c in context}:
        return "Your password must not be your e-mail address or your name"
    if "advocacy" in folded and len(folded.replace("advocacy", "")) < 4:
        return "Your password must not be the name of this service"
    return None
