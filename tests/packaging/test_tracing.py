"""X-Ray tracing, a deploy option (TRACING=true): every function traced, or none.

The default package (tests/packaging/conftest.py) shows the option off; `observed_template`
is packaged with it on.
"""

from __future__ import annotations

from tests.packaging import condition_holds

TRACE_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def functions_of(template: dict) -> dict[str, dict]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def trace_grants(template: dict, role_id: str) -> list[dict]:
    """The role's statements about X-Ray, as deployed with the template's parameters."""
    grants = []
    for policy in template["Resources"][role_id]["Properties"]["Policies"]:
        for written in policy["PolicyDocument"]["Statement"]:
            statement = written
            if "Fn::If" in written:
                condition, granted, otherwise = written["Fn::If"]
                statement = granted if condition_holds(template, condition) else otherwise
            actions = statement.get("Action", [])
            if any(action.startswith("xray:") for action in as_list(actions)):
                grants.append(statement)
    return grants


def test_by_default_no_function_is_traced_and_no_role_may_write_traces(template):
    functions = functions_of(template)

    assert functions
    for logical_id, function in functions.items():
        assert "TracingConfig" not in function, logical_id
        assert trace_grants(template, function["Role"]["Fn::GetAtt"][0]) == [], logical_id


def test_tracing_on_traces_every_function_and_lets_its_role_write_the_traces_only(
    template, observed_template
):
    functions = functions_of(observed_template)

    assert functions.keys() == functions_of(template).keys()
    for logical_id, function in functions.items():
        assert function["TracingConfig"] == {"Mode": "Active"}, logical_id
        [grant] = trace_grants(observed_template, function["Role"]["Fn::GetAtt"][0])
        assert grant["Effect"] == "Allow"
        assert set(grant["Action"]) == TRACE_ACTIONS
        # X-Ray's trace actions take no resource narrower than "*".
        assert grant["Resource"] == "*"
