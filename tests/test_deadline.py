"""Event functions' deadlines: from the Lambda context, a margin before the timeout."""

from __future__ import annotations

from shared import aws, deadline
from shared.deadline import Deadline
from tests.faults.lambda_time import TimeRunningOut


def test_without_a_context_there_is_no_deadline():
    assert not Deadline(None, margin=20).passed()
    assert not Deadline(object(), margin=20).passed()
    assert Deadline(None, margin=20).remaining() is None
    assert not deadline.NEVER.passed()


def test_the_deadline_passes_once_less_than_the_margin_is_left():
    time_left = Deadline(TimeRunningOut(120_000, 21_000, 20_000, 19_999), margin=20)

    assert [time_left.passed() for _ in range(3)] == [False, False, True]


def test_at_most_half_the_invocation_is_held_back_whatever_the_margin():
    time_left = Deadline(TimeRunningOut(30_000, 16_000, 14_999), margin=60)

    assert time_left.margin == 15
    assert [time_left.passed(), time_left.passed()] == [False, True]


def test_the_margin_is_one_aws_call_at_worst_and_one_sql_statement():
    margin = deadline.of_invocation(TimeRunningOut(900_000)).margin

    assert margin == aws.longest_call() + 5 == 20


def test_under_serverless_offline_the_made_up_time_left_is_ignored(monkeypatch):
    # Its Python runner reports 6 s, whatever the function's timeout.
    monkeypatch.setenv("IS_OFFLINE", "true")

    assert not deadline.of_invocation(TimeRunningOut(6_000, 1_000)).passed()
