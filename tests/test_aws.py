"""AWS clients: every call bounded by AWS_CALL_TIMEOUT, with few retries and never a hang."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from shared import aws
from tests.faults.hung_endpoint import aws_call_timeout, closed_port, hung_endpoint, service_at

SERVICES = ("sqs", "ses", "s3", "secretsmanager")


@pytest.fixture(autouse=True)
def _fresh_clients():
    aws.reset_clients()
    yield
    aws.reset_clients()


@pytest.mark.parametrize("service", SERVICES)
def test_every_client_gives_up_connecting_and_reading_after_the_call_timeout(service):
    config = aws.client(service).meta.config

    assert (config.connect_timeout, config.read_timeout) == (2, 2)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}


@pytest.mark.parametrize("service", SERVICES)
def test_a_client_without_retries_makes_one_attempt(service):
    config = aws.client(service, retries=0).meta.config

    assert (config.connect_timeout, config.read_timeout) == (2, 2)
    assert config.retries == {"mode": "standard", "total_max_attempts": 1}
    assert aws.client(service, retries=0) is not aws.client(service)
    assert aws.client(service, retries=0) is aws.client(service, retries=0)


def test_a_caller_may_ask_for_a_shorter_timeout_but_never_a_longer_one():
    hurried = aws.client("sqs", retries=0, timeout=0.75).meta.config

    assert (hurried.connect_timeout, hurried.read_timeout) == (0.75, 0.75)
    assert aws.client("sqs", timeout=5) is aws.client("sqs")
    with aws_call_timeout(0.25):
        assert aws.client("sqs", retries=0, timeout=0.75).meta.config.read_timeout == 0.25


def test_the_call_timeout_comes_from_aws_call_timeout():
    with aws_call_timeout(0.25):
        config = aws.client("sqs").meta.config
        longest = aws.longest_call()

    assert (config.connect_timeout, config.read_timeout) == (0.25, 0.25)
    assert longest == pytest.approx(3 * 2 * 0.25 + 1 + 2)
    assert aws.longest_call(retries=0) == 2 * 2


def test_s3_keeps_sigv4_and_virtual_hosted_urls_next_to_the_timeouts(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    config = aws.client("s3").meta.config

    assert config.signature_version == "s3v4"
    assert config.s3 == {"addressing_style": "virtual"}
    assert config.read_timeout == 2


def test_a_service_that_never_answers_is_tried_three_times_then_given_up():
    with hung_endpoint() as hung, aws_call_timeout(0.3), service_at("sqs", hung.url):
        started = time.monotonic()
        with pytest.raises(ReadTimeoutError):
            aws.client("sqs").send_message(QueueUrl=f"{hung.url}/123/orders", MessageBody="{}")
        took = time.monotonic() - started
        longest = aws.longest_call()

    assert hung.accepted == 3
    assert 3 * 0.3 <= took < longest


def test_without_retries_a_service_that_never_answers_costs_one_call_timeout():
    with hung_endpoint() as hung, aws_call_timeout(0.3), service_at("ses", hung.url):
        ses = aws.client("ses", retries=0)  # a warm container's, so only the call is timed
        started = time.monotonic()
        with pytest.raises(ReadTimeoutError):
            ses.get_send_quota()
        took = time.monotonic() - started

    assert hung.accepted == 1
    assert 0.3 <= took < 0.3 + 0.5


def test_a_service_that_is_not_there_fails_at_once():
    with aws_call_timeout(0.3), service_at("sqs", closed_port()):
        sqs = aws.client("sqs", retries=0)
        started = time.monotonic()
        with pytest.raises((EndpointConnectionError, ConnectTimeoutError)):
            sqs.list_queues()
        took = time.monotonic() - started

    assert took < 0.3


def client_error(status: int, code: str) -> ClientError:
    response = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "GetSecretValue")


@pytest.mark.parametrize(
    "error",
    [
        ReadTimeoutError(endpoint_url="http://127.0.0.1:1"),
        ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"),
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        client_error(500, "InternalServiceError"),
        client_error(503, "ServiceUnavailable"),
        client_error(400, "ThrottlingException"),
        client_error(429, "TooManyRequestsException"),
    ],
    ids=repr,
)
def test_a_service_that_is_down_unreachable_slow_or_throttling_is_unavailable(error):
    assert aws.is_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        client_error(400, "ResourceNotFoundException"),
        client_error(400, "AccessDeniedException"),
        client_error(400, "DecryptionFailure"),
        ValueError("a bug"),
    ],
    ids=repr,
)
def test_what_a_misconfiguration_or_a_bug_causes_is_not_unavailability(error):
    assert not aws.is_unavailable(error)
