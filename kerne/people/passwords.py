"""The minimum a new password must meet (ASVS 5.0 V6.2): long enough, not about its owner,
not one character over and over. Pure: the form and the ``create-user`` command share it."""
import re

MIN_LENGTH = 12
MAX_LENGTH = 200


def weakness(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` may not be used, as a key of ``kerne.forms.PASSWORD_WEAKNESSES``, or None."""
    if len(password) < MIN_LENGTH:
        return "short"
    if len(password) > MAX_LENGTH:
        return "long"
    if len(set(password)) <= 2:
        return "repetitive"
    lowered = password.lower()
    personal = [email.split("@")[0].lower(), *re.findall(r"\w{3,}", name.lower())]
    if any(part and len(part) >= 3 and part in lowered for part in personal):
        return "personal"
    return None
