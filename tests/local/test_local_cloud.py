"""The local cloud keeps every e-mail the shop sends, each in a file of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from moto.ses.models import Message

from scripts.local_cloud import keep_mail

SENT = datetime(2026, 12, 2, 19, 30, 0, 123456, tzinfo=UTC)


def _mail(message_id: str, to: str) -> Message:
    return Message(
        message_id=message_id,
        source="shop@example.com",
        subject="Your order is confirmed",
        body=f"Hello {to}",
        destinations={"ToAddresses": [to]},
    )


def test_mails_of_two_runs_of_scripts_dev_are_both_kept_in_the_order_they_came(tmp_path):
    # Each run counts its mails from one: a name made of the count alone was reused.
    first = keep_mail(tmp_path, _mail("aaaa-0001", "ada@example.com"), SENT)
    second = keep_mail(tmp_path, _mail("bbbb-0001", "bob@example.com"), SENT + timedelta(1))

    assert sorted(tmp_path.iterdir()) == [first, second]
    assert "To: ada@example.com" in first.read_text()
    assert "To: bob@example.com" in second.read_text()


def test_a_mail_file_is_named_by_when_it_was_sent_and_its_message_id(tmp_path):
    path = keep_mail(tmp_path, _mail("0100018c-abcd", "ada@example.com"), SENT)

    assert path.name == "20261202T193000.123456Z-0100018c-abcd.txt"


def test_a_mail_never_overwrites_a_file_already_there(tmp_path):
    earlier = keep_mail(tmp_path, _mail("same-id", "ada@example.com"), SENT)

    with pytest.raises(FileExistsError):
        keep_mail(tmp_path, _mail("same-id", "eve@example.com"), SENT)

    assert "ada@example.com" in earlier.read_text()
