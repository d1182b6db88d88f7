"""E-mail addresses: one stored form per mailbox, whatever way it is typed."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.emails import InvalidEmail, canonical_email, mail_address, normalize_email


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("u@bücher.example", "u@bücher.example"),
        ("u@xn--bcher-kva.example", "u@bücher.example"),
        ("U@BÜCHER.EXAMPLE", "u@bücher.example"),
        ("u@XN--BCHER-KVA.example", "u@bücher.example"),
        ("zoe\u0308@example.com", "zoë@example.com"),
        ("zoë@example.com", "zoë@example.com"),
        ("ZOË@example.com", "zoë@example.com"),
        ("a@ｅｘａｍｐｌｅ.com", "a@example.com"),
    ],
)
def test_every_spelling_of_a_mailbox_has_one_stored_form(typed, stored):
    assert canonical_email(typed) == stored
    assert normalize_email(typed) == stored


@pytest.mark.parametrize(
    "address",
    [
        "not-an-email",
        "a@b",
        "two@@example.com",
        "a" * 65 + "@example.com",
        "a@" + ".".join(label * 62 for label in "bcde") + ".com",
        # 64 characters before the @-sign only once lower-cased ("İ" becomes "i̇").
        "İ" * 33 + "@example.com",
    ],
)
def test_an_unusable_address_is_refused_with_a_reason(address):
    with pytest.raises(InvalidEmail) as refused:
        canonical_email(address)

    assert str(refused.value)


def test_the_longest_addresses_rfc_5321_allows_are_accepted():
    local = "a" * 64
    domain = ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * 57]) + ".com"
    address = f"{local}@{domain}"[:254]
    assert len(local) == 64 and len(address) == 254

    assert canonical_email(address) == address


@pytest.mark.parametrize("typed", ["not-an-email", " spaced@example.com", "a@@B", "Ä" * 400])
def test_a_malformed_address_is_folded_for_lookup_never_refused(typed):
    assert normalize_email(typed) == unicodedata.normalize("NFC", typed).lower()


def test_mail_goes_to_the_punycode_form_of_an_internationalized_domain():
    assert mail_address("u@bücher.example") == "u@xn--bcher-kva.example"
    assert mail_address("ada@example.com") == "ada@example.com"


addresses = st.builds(
    "{}@{}.{}".format,
    st.text(st.sampled_from("aAzZ09._+-éÉëËe\u0301E\u0308İßẞΣσς"), min_size=1, max_size=20),
    st.text(st.sampled_from("abcXYZüÜu\u0308-"), min_size=1, max_size=20),
    st.sampled_from(["com", "example", "COM"]),
)


@given(addresses)
def test_normalizing_a_normalized_address_changes_nothing(address):
    once = normalize_email(address)

    assert normalize_email(once) == once
    assert once.lower() == once
    assert unicodedata.is_normalized("NFC", once)


ascii_addresses = st.builds(
    "{}@{}.{}".format,
    st.text(st.sampled_from("aZ09._+-!#$%&'*/=?^`{|}~\"( )<>@"), min_size=1, max_size=20),
    st.text(st.sampled_from("abXY09-_."), min_size=1, max_size=20),
    st.sampled_from(["com", "ORG", "x1", "xn--bcher-kva", "XN--p1ai"]),
)


@given(ascii_addresses | st.text(st.characters(max_codepoint=127), max_size=40))
def test_an_ascii_address_is_looked_up_as_the_stored_form_of_it(typed):
    try:
        stored = canonical_email(typed)
    except InvalidEmail:
        stored = typed.lower()

    assert normalize_email(typed) == stored


@pytest.mark.parametrize(
    "typed", ["Ada@Example.com", "a.b+c@sub.example.org", "x@Xn--bcher-kva.ex"]
)
def test_an_ascii_address_and_its_lookup_form_agree(typed):
    assert normalize_email(typed) == canonical_email(typed)
