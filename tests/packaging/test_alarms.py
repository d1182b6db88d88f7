"""CloudWatch alarms, mailed through one SNS topic to ALARM_EMAIL when one is given."""

from __future__ import annotations

import pytest

from tests.packaging import condition_holds

ALARMS_TOPIC = {"Ref": "AlarmsTopic"}
# The functions someone watches while they run: they answer whoever runs them. Every other
# function, a new one included, must have alarms of its own.
ATTENDED = {"migrate", "manage"}


def alarms(template: dict, namespace: str, metric: str) -> list[dict]:
    """The properties of every alarm on `metric` of `namespace`."""
    return [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
        and resource["Properties"]["Namespace"] == namespace
        and resource["Properties"]["MetricName"] == metric
    ]


def dimension(alarm: dict, name: str):
    [value] = [d["Value"] for d in alarm["Dimensions"] if d["Name"] == name]
    return value


def goes_off_above(alarm: dict, threshold: float, *, statistic: str) -> bool:
    return (
        alarm["ComparisonOperator"] == "GreaterThanThreshold"
        and alarm["Threshold"] == threshold
        and alarm["Statistic"] == statistic
        and alarm["EvaluationPeriods"] == 1
    )


def test_a_message_in_either_dead_letter_queue_sets_off_an_alarm(template):
    watched = alarms(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible")

    assert sorted(dimension(a, "QueueName")["Fn::GetAtt"][0] for a in watched) == [
        "OrdersDeadLetterQueue",
        "TriggersDeadLetterQueue",
    ]
    for alarm in watched:
        assert goes_off_above(alarm, 0, statistic="Maximum")
        # An empty queue that has been idle sends no data: that is no alarm.
        assert alarm["TreatMissingData"] == "notBreaching"


def test_an_order_event_waiting_over_ten_minutes_sets_off_an_alarm(template):
    [alarm] = alarms(template, "AWS/SQS", "ApproximateAgeOfOldestMessage")

    assert dimension(alarm, "QueueName") == {"Fn::GetAtt": ["OrdersQueue", "QueueName"]}
    assert goes_off_above(alarm, 600, statistic="Maximum")


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_unattended_function_has_its_own_alarm_on_any_error_and_throttle(template, metric):
    names = {
        logical_id: resource["Properties"]["FunctionName"].removeprefix("shop-api-dev-")
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    watched = alarms(template, "AWS/Lambda", metric)

    unattended = set(names.values()) - ATTENDED
    assert sorted(names[dimension(a, "FunctionName")["Ref"]] for a in watched) == sorted(unattended)
    assert all(goes_off_above(a, 0, statistic="Sum") for a in watched)


def test_any_5xx_answer_of_the_http_api_sets_off_an_alarm(template):
    [alarm] = alarms(template, "AWS/ApiGateway", "5xx")

    assert dimension(alarm, "ApiId") == {"Ref": "HttpApi"}
    assert goes_off_above(alarm, 0, statistic="Sum")


def test_every_alarm_tells_the_topic_when_it_goes_off_and_when_it_is_over(template, functions):
    every = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]

    assert len(every) == 4 + 2 * len(set(functions) - ATTENDED)
    for alarm in every:
        assert alarm["Properties"]["AlarmActions"] == [ALARMS_TOPIC]
        assert alarm["Properties"]["OKActions"] == [ALARMS_TOPIC]
        assert alarm["Properties"]["Period"] == 300
    assert template["Resources"]["AlarmsTopic"]["Type"] == "AWS::SNS::Topic"


def subscription(template: dict) -> dict:
    [found] = [
        resource
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::SNS::Subscription"
    ]
    return found


def test_without_an_alarm_email_the_topic_has_no_subscriber(template):
    assert not condition_holds(template, subscription(template)["Condition"])


def test_an_alarm_email_is_subscribed_to_the_topic(observed_template):
    found = subscription(observed_template)

    assert condition_holds(observed_template, found["Condition"])
    assert found["Properties"]["Protocol"] == "email"
    assert found["Properties"]["TopicArn"] == ALARMS_TOPIC
    endpoint = found["Properties"]["Endpoint"]
    assert observed_template["Parameters"][endpoint["Ref"]]["Default"] == "ops@example.com"
