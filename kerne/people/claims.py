"""What Kerne takes from a single sign-on provider's claims about a person. Pure: the callback
(kerne.people.sso) and its unit tests share it.

An e-mail address is used only when the provider vouches for it: ``email_verified`` is the JSON
boolean true (not ``"true"``, not ``1``), or the provider is the one the configuration trusts and it
sends no such claim at all. An address is plain ASCII and is compared lower-cased in ASCII only; a
claim with any other character is refused, so no Unicode folding (the Kelvin sign, ligatures,
full-width letters) can make one address match another's account.
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass

MAX_EMAIL = 254
# One @ between printable ASCII characters: no spaces, no control characters, nothing else.
_ADDRESS = re.compile(r"[!-?A-~]+@[!-?A-~]+")


def folded_email(value: object) -> str | None:
    """``value`` as Kerne compares addresses (lower-cased in ASCII), or None when it is no plain ASCII address."""
    if not isinstance(value, str) or not value.isascii() or len(value) > MAX_EMAIL:
        return None
    return value.lower() if _ADDRESS.fullmatch(value) else None


@dataclass(frozen=True)
class EmailClaim:
    """The address the claims give (folded), and why it may not be used: None, or "missing",
    "unusable" (not plain ASCII) or "unverified"."""

    address: str | None
    problem: str | None = None


def email_of(claims: Mapping, issuer: str, trusted_issuer: str = "") -> EmailClaim:
    """The e-mail address the claims vouch for; ``issuer`` sent them, ``trusted_issuer`` is trusted without
    ``email_verified``."""
    if "email" not in claims:
        return EmailClaim(None, "missing")
    address = folded_email(claims["email"])
    if address is None:
        return EmailClaim(None, "unusable")
    verified = claims.get("email_verified")
    if verified is True or ("email_verified" not in claims and trusted_issuer and issuer == trusted_issuer):
        return EmailClaim(address)
    return EmailClaim(address, "unverified")


def needs_userinfo(id_token: Mapping) -> bool:
    """A code-flow provider may keep the e-mail scope's claims for UserInfo (OIDC Core §5.4)."""
    return "email" not in id_token or "email_verified" not in id_token


def email_claims(id_token: Mapping, userinfo: Mapping) -> Mapping | None:
    """Where to read the e-mail from: UserInfo when it has one, else the ID token; None when UserInfo speaks
    of someone else (its ``sub`` must equal the ID token's, OIDC Core §5.3.2). An address and whether it is
    verified are read from the same answer, never mixed."""
    if userinfo.get("sub") != id_token.get("sub"):
        return None
    return userinfo if "email" in userinfo else id_token
