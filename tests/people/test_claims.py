"""What Kerne takes from a provider's claims (kerne.people.claims): exact answers, no app."""
import pytest

from kerne.people.claims import EmailClaim, email_claims, email_of, folded_email, needs_userinfo

ISSUER = "https://login.fjordby.dk"


@pytest.mark.parametrize("value, folded", [
    ("koordinator@fjordby.dk", "koordinator@fjordby.dk"),
    ("Koordinator@FJORDBY.dk", "koordinator@fjordby.dk"),
    ("anna.berg+kerne@fjordby.dk", "anna.berg+kerne@fjordby.dk"),
    ("\u212aoordinator@fjordby.dk", None),  # the Kelvin sign lower()s to k
    ("koordinator@fjordby\u3002dk", None),  # an ideographic full stop that IDNA reads as a dot
    ("\uff4boordinator@fjordby.dk", None),  # a full-width k: NFKC makes it k
    ("ﬁn@fjordby.dk", None),  # a ligature
    ("søren@fjordby.dk", None),
    (" koordinator@fjordby.dk", None),
    ("koordinator@fjordby.dk\n", None),
    ("koordinator@@fjordby.dk", None),
    ("koordinator", None),
    ("@fjordby.dk", None),
    ("a@" + "b" * 253, None),  # longer than an address can be
    ("", None),
    (None, None),
    (True, None),
    (["koordinator@fjordby.dk"], None),
])
def test_an_address_is_plain_ascii_folded_in_ascii(value, folded):
    assert folded_email(value) == folded


@pytest.mark.parametrize("claims, trusted, expected", [
    ({"email": "A@fjordby.dk", "email_verified": True}, "", EmailClaim("a@fjordby.dk")),
    ({"email": "a@fjordby.dk", "email_verified": False}, "", EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "a@fjordby.dk", "email_verified": "true"}, "", EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "a@fjordby.dk", "email_verified": "false"}, "", EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "a@fjordby.dk", "email_verified": 1}, "", EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "a@fjordby.dk", "email_verified": 0}, "", EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "a@fjordby.dk", "email_verified": None}, "", EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "a@fjordby.dk"}, "", EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "a@fjordby.dk"}, ISSUER, EmailClaim("a@fjordby.dk")),
    ({"email": "a@fjordby.dk", "email_verified": False}, ISSUER, EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "a@fjordby.dk"}, "https://another.example", EmailClaim("a@fjordby.dk", "unverified")),
    ({"email": "\u212a@fjordby.dk", "email_verified": True}, "", EmailClaim(None, "unusable")),
    ({"email": None, "email_verified": True}, "", EmailClaim(None, "unusable")),
    ({"email_verified": True}, ISSUER, EmailClaim(None, "missing")),
])
def test_an_email_counts_only_when_verified_by_a_json_true_or_a_trusted_issuer(claims, trusted, expected):
    assert email_of(claims, ISSUER, trusted) == expected


@pytest.mark.parametrize("id_token, needed", [
    ({"sub": "1"}, True),
    ({"sub": "1", "email": "a@fjordby.dk"}, True),
    ({"sub": "1", "email_verified": True}, True),
    ({"sub": "1", "email": "a@fjordby.dk", "email_verified": False}, False),
])
def test_userinfo_is_asked_when_the_id_token_lacks_the_email_claims(id_token, needed):
    assert needs_userinfo(id_token) is needed


def test_userinfo_about_another_subject_is_not_used():
    assert email_claims({"sub": "1"}, {"sub": "2", "email": "a@fjordby.dk", "email_verified": True}) is None
    assert email_claims({"sub": "1"}, {"email": "a@fjordby.dk", "email_verified": True}) is None


def test_the_address_and_whether_it_is_verified_come_from_one_answer():
    id_token = {"sub": "1", "email": "old@fjordby.dk"}
    userinfo = {"sub": "1", "email": "new@fjordby.dk", "email_verified": True}
    assert email_claims(id_token, userinfo) is userinfo
    assert email_claims(id_token, {"sub": "1", "email_verified": True}) is id_token
