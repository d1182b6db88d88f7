"""The HTTP API's own limits and records: route throttling and one JSON access log per request."""

from __future__ import annotations

import json

import pytest

from tests.packaging.test_package import resources_of_type


@pytest.fixture(scope="module")
def stage(template: dict) -> dict:
    (found,) = resources_of_type(template, "AWS::ApiGatewayV2::Stage").values()
    return found["Properties"]


def test_every_route_is_throttled_by_default_with_a_burst_above_its_rate(stage):
    settings = stage["DefaultRouteSettings"]

    assert settings["ThrottlingRateLimit"] == 50
    assert settings["ThrottlingBurstLimit"] == 100
    assert "DetailedMetricsEnabled" in settings  # osls's own setting, kept by the extension


def test_each_request_leaves_a_json_access_log_line_with_its_request_ids(template, stage):
    logs = stage["AccessLogSettings"]
    line = json.loads(logs["Format"])

    assert line["requestId"] == "$context.requestId"
    # The Lambda invocation's id, which the function's START, END and REPORT lines carry.
    assert line["integrationRequestId"] == "$context.integration.requestId"
    assert {"status", "routeKey", "responseLatency", "integrationError"} <= set(line)
    group_id = logs["DestinationArn"]["Fn::GetAtt"][0]
    group = template["Resources"][group_id]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == 14
