"""Asynchronous triggers: each one's retries are bounded and what Lambda gives up on is kept.

S3 events (catalog_import) and the schedule (housekeeping) invoke their functions
asynchronously: Lambda retries a failed invocation on its own and then, without an
on-failure destination, drops the event without a trace. Each gets an EventInvokeConfig
with bounded retries and event age, and sends what is given up on to a dead-letter queue.
"""

from __future__ import annotations

import pytest

from tests.packaging.test_package import granted_statements, lambda_functions, resources_of_type
from tests.packaging.test_snapstart import ALIAS, function_ids

TRIGGERS_DLQ = {"Fn::GetAtt": ["TriggersDeadLetterQueue", "Arn"]}
ASYNC_TRIGGERED = {"catalog_import", "housekeeping"}
# The import's own clock (shared/services/imports.py): an upload comes within 15 minutes
# of its import's start, and housekeeping ends an import nothing touched for 30.
UPLOAD_WINDOW, UNTOUCHED_IMPORT_ENDS = 15 * 60, 30 * 60


def invoke_configs(template: dict) -> dict[str, dict]:
    """Function name → the properties of its EventInvokeConfig."""
    names = function_ids(template)
    return {
        names[config["Properties"]["FunctionName"]["Ref"]]: config["Properties"]
        for config in resources_of_type(template, "AWS::Lambda::EventInvokeConfig").values()
    }


def test_every_asynchronously_triggered_function_fails_into_the_triggers_dead_letter_queue(
    template,
):
    configs = invoke_configs(template)

    assert set(configs) == ASYNC_TRIGGERED
    for name, config in configs.items():
        assert config["DestinationConfig"] == {"OnFailure": {"Destination": TRIGGERS_DLQ}}, name
        assert 0 <= config["MaximumRetryAttempts"] <= 2, name
        assert 60 <= config["MaximumEventAgeInSeconds"] < 6 * 3600, name
    queue = template["Resources"]["TriggersDeadLetterQueue"]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_every_import_event_lambda_may_still_deliver_arrives_before_housekeeping_gives_up(
    template, functions
):
    config = invoke_configs(template)["catalog_import"]
    timeout = lambda_functions(template, functions)["catalog_import"]["Timeout"]

    latest_finish = UPLOAD_WINDOW + config["MaximumEventAgeInSeconds"] + timeout
    assert latest_finish <= UNTOUCHED_IMPORT_ENDS


def test_a_housekeeping_retry_never_overlaps_the_next_scheduled_run(template):
    (rule,) = resources_of_type(template, "AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"

    assert invoke_configs(template)["housekeeping"]["MaximumEventAgeInSeconds"] < 5 * 60


def test_the_functions_may_send_what_fails_to_the_dead_letter_queue_and_only_they(
    template, functions
):
    for name, function in lambda_functions(template, functions).items():
        role = template["Resources"][function["Role"]["Fn::GetAtt"][0]]
        senders = [
            statement
            for statement in granted_statements(template, role)
            if statement["Resource"] == TRIGGERS_DLQ
        ]
        if name in ASYNC_TRIGGERED:
            assert [s["Action"] for s in senders] == ["sqs:SendMessage"], name
        else:
            assert senders == [], name


@pytest.mark.parametrize("option", ["off", "on"])
def test_the_failure_path_is_set_on_what_the_events_invoke(option, template, snapstart_template):
    # With SnapStart on, S3 invokes catalog_import's alias: a config left on $LATEST would
    # leave the alias with Lambda's defaults (2 retries, 6 hours, no destination).
    packaged = snapstart_template if option == "on" else template
    configs = invoke_configs(packaged)

    assert configs["catalog_import"]["Qualifier"] == (ALIAS if option == "on" else "$LATEST")
    assert configs["housekeeping"]["Qualifier"] == "$LATEST"
