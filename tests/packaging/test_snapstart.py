"""SnapStart, a deploy option (SNAP_START=true): which functions get it, and how they are invoked.

With the option on, a function runs as a published version restored from a snapshot, and
only its alias `snapstart` points at that version: an event source left on the function
itself would run `$LATEST`, initialised from scratch, and SnapStart would buy nothing.
The service is packaged once more with the option on, and the default package shows it
off (both in tests/packaging/conftest.py).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator

import pytest

ALIAS = "snapstart"
# The functions someone waits on: a shopper (the HTTP functions, the confirmation e-mail of
# order_events) or an operator (catalog_import's report). Not housekeeping (nobody waits,
# and a run every five minutes keeps it warm), nor migrate and manage (run by hand).
SNAP_STARTED = {"meta", "auth", "users", "products", "orders", "order_events", "catalog_import"}
# What invokes each function, as (resource type, what it refers to the function by).
HTTP = {("AWS::ApiGatewayV2::Integration", "IntegrationUri"), ("AWS::Lambda::Permission", "API")}
INVOKERS = {
    **dict.fromkeys(["meta", "auth", "users", "products", "orders"], HTTP),
    "order_events": {("AWS::Lambda::EventSourceMapping", "FunctionName")},
    "catalog_import": {("AWS::S3::Bucket", "Notification"), ("AWS::Lambda::Permission", "S3")},
    "housekeeping": {("AWS::Events::Rule", "Target"), ("AWS::Lambda::Permission", "Events")},
}
PERMISSION_FROM = {
    "apigateway.amazonaws.com": "API",
    "s3.amazonaws.com": "S3",
    "events.amazonaws.com": "Events",
}


def function_ids(template: dict) -> dict[str, str]:
    """Logical id of each AWS::Lambda::Function → its name in serverless.yml."""
    prefix = "shop-api-dev-"
    return {
        logical_id: resource["Properties"]["FunctionName"].removeprefix(prefix)
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }


def invoked(arn: dict) -> tuple[str, str | None]:
    """(function's logical id, alias or None) of a function ARN as osls writes one."""
    if "Fn::GetAtt" in arn:
        logical_id, attribute = arn["Fn::GetAtt"]
        assert attribute == "Arn", arn
        return logical_id, None
    separator, (function_arn, qualifier) = arn["Fn::Join"]
    assert separator == ":", arn
    return invoked(function_arn)[0], qualifier


def invocations(template: dict) -> Iterator[tuple[tuple[str, str], dict]]:
    """Every event source and invoke permission: ((type, by what), the function ARN used)."""
    for resource in template["Resources"].values():
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::ApiGatewayV2::Integration":
            yield (kind, "IntegrationUri"), properties["IntegrationUri"]
        elif kind == "AWS::Lambda::EventSourceMapping":
            yield (kind, "FunctionName"), properties["FunctionName"]
        elif kind == "AWS::Lambda::Permission":
            yield (kind, PERMISSION_FROM[properties["Principal"]]), properties["FunctionName"]
        elif kind == "AWS::Events::Rule":
            for target in properties["Targets"]:
                yield (kind, "Target"), target["Arn"]
        elif kind == "AWS::S3::Bucket":
            notifications = properties.get("NotificationConfiguration", {})
            for notification in notifications.get("LambdaConfigurations", []):
                yield (kind, "Notification"), notification["Function"]
        elif kind == "AWS::Scheduler::Schedule":
            yield (kind, "Target"), properties["Target"]["Arn"]


def snapstart_settings(template: dict) -> dict[str, dict]:
    names = function_ids(template)
    return {
        names[logical_id]: resource["Properties"]["SnapStart"]
        for logical_id, resource in template["Resources"].items()
        if "SnapStart" in resource.get("Properties", {})
    }


def test_a_default_deploy_has_nothing_of_snapstart(template):
    assert not snapstart_settings(template)
    kinds = {resource["Type"] for resource in template["Resources"].values()}
    assert not {"AWS::Lambda::Alias", "AWS::Lambda::Version"} & kinds
    assert ALIAS not in json.dumps(template).lower()
    for _, arn in invocations(template):
        assert invoked(arn)[1] is None, arn


def test_with_snapstart_on_the_functions_someone_waits_on_restore_from_snapshots(
    snapstart_template,
):
    settings = snapstart_settings(snapstart_template)
    assert set(settings) == SNAP_STARTED
    assert all(setting == {"ApplyOn": "PublishedVersions"} for setting in settings.values())


def test_each_snapstarted_function_keeps_one_version_behind_its_alias(snapstart_template):
    resources = snapstart_template["Resources"]
    names = function_ids(snapstart_template)
    aliased = {}
    for alias in (r for r in resources.values() if r["Type"] == "AWS::Lambda::Alias"):
        function_id = alias["Properties"]["FunctionName"]["Ref"]
        version_id, attribute = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"]
        version = resources[version_id]
        assert alias["Properties"]["Name"] == ALIAS
        assert (version["Type"], attribute) == ("AWS::Lambda::Version", "Version")
        assert version["Properties"]["FunctionName"] == {"Ref": function_id}
        # Deleted once the next version replaces it: a kept version's snapshot is charged for.
        assert "DeletionPolicy" not in version, version_id
        aliased[names[function_id]] = version_id
    assert set(aliased) == SNAP_STARTED
    versions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Version"]
    assert len(versions) == len(SNAP_STARTED)


@pytest.mark.parametrize("option", ["off", "on"])
def test_every_event_source_invokes_the_alias_of_a_snapstarted_function(
    option, template, snapstart_template
):
    packaged = snapstart_template if option == "on" else template
    names = function_ids(packaged)
    seen: dict[str, set[tuple[str, str]]] = {}
    for invoker, arn in invocations(packaged):
        function_id, qualifier = invoked(arn)
        name = names[function_id]
        seen.setdefault(name, set()).add(invoker)
        on_alias = option == "on" and name in SNAP_STARTED
        assert qualifier == (ALIAS if on_alias else None), (name, invoker, arn)
    assert seen == INVOKERS


def test_with_snapstart_on_nothing_refers_to_a_snapstarted_function_but_its_version_and_alias(
    snapstart_template,
):
    # A guard beyond the invokers listed above: any other reference to the bare function
    # (a new kind of event osls compiles differently, say) would run $LATEST.
    names = function_ids(snapstart_template)
    snapstarted = {i for i, name in names.items() if name in SNAP_STARTED}
    for logical_id, resource in snapstart_template["Resources"].items():
        if resource["Type"] in {"AWS::Lambda::Version", "AWS::Lambda::Alias"}:
            continue
        if resource.get("Properties", {}).get("Qualifier") == ALIAS:
            continue  # an EventInvokeConfig names the function and its alias apart
        # An alarm names a function to watch it, not to run it: Lambda's metrics under
        # FunctionName alone add up every version and alias of the function.
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            continue
        for reference in bare_references(resource):
            assert reference not in snapstarted, (logical_id, reference)


def bare_references(node: object) -> Iterator[str]:
    """Logical ids referred to by Ref or Fn::GetAtt, except as a function ARN with an alias."""
    if isinstance(node, list):
        for item in node:
            yield from bare_references(item)
    elif isinstance(node, dict):
        if "Fn::Join" in node and node["Fn::Join"][0] == ":":
            parts = node["Fn::Join"][1]
            if len(parts) == 2 and parts[1] == ALIAS and "Fn::GetAtt" in parts[0]:
                return
        if "Ref" in node:
            yield node["Ref"]
        if "Fn::GetAtt" in node:
            yield node["Fn::GetAtt"][0]
        for value in node.values():
            yield from bare_references(value)


def test_the_layer_leaves_the_snapstart_hooks_library_to_the_lambda_runtime(package_dir):
    with zipfile.ZipFile(package_dir / "shared.zip") as layer:
        names = layer.namelist()
    assert "python/shared/snapstart.py" in names
    assert not [n for n in names if n.startswith("python/snapshot_restore_py")]
