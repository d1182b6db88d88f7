"""E-mail addresses as the shop stores and compares them: one form per mailbox.

The stored form is the address as email-validator normalizes it (local part in Unicode
NFC; the domain mapped by UTS 46 and written in Unicode, so `xn--bcher-kva.example` reads
`bücher.example`), then lower-cased as a whole. Lower-casing the local part goes beyond
RFC 5321, which leaves its case to the receiving server; the shop promises that addresses
differing only in case are one account.
"""

from __future__ import annotations

import unicodedata

# RFC 5321 section 4.5.3.1, counted in characters of the stored form like every other
# length of the contract.
LOCAL_PART_MAX = 64
ADDRESS_MAX = 254


class InvalidEmail(ValueError):
    """Not an address the shop accepts; the message says why, to the person who typed it."""


def canonical_email(address: str) -> str:
    """The stored form of `address`, or InvalidEmail when it is not a usable address."""
    from email_validator import EmailNotValidError, validate_email

    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None
    local_part = _fold(valid.local_part)
    folded = f"{local_part}@{_fold(valid.domain)}"
    # Checked after folding: lower-casing can lengthen a string ("İ" becomes "i̇").
    if len(local_part) > LOCAL_PART_MAX or len(folded) > ADDRESS_MAX:
        raise InvalidEmail(
            f"The address is longer than RFC 5321 allows ({LOCAL_PART_MAX} characters "
            f"before the @-sign, {ADDRESS_MAX} in all)."
        )
    return folded


def normalize_email(address: str) -> str:
    """The form to look `address` up by; never fails.

    A valid address gets its stored form; anything else is only folded, and so matches no
    account (every stored address is a canonical one), which is what a login wants.
    """
    if address.isascii() and "xn--" not in address.lower():
        # Validation changes nothing in such an address but its case, and skipping it keeps
        # email-validator (~45 ms to import) out of a cold start's first login.
        return address.lower()
    try:
        return canonical_email(address)
    except InvalidEmail:
        return _fold(address)


def mail_address(stored: str) -> str:
    """`stored` with its domain in IDNA ASCII, as mail services such as SES require."""
    local_part, _, domain = stored.rpartition("@")
    if domain.isascii():
        return stored
    import idna

    return f"{local_part}@{idna.encode(domain, uts46=True).decode('ascii')}"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).lower())
