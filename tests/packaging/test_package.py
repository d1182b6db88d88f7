"""What a deploy would upload: one small zip per function, one shared layer, the template.

The service is packaged once for the run (`sls package`, offline; tests/packaging/conftest.py),
from a layer that scripts/build_layer refreshes first (a second or so when requirements.txt
is unchanged).
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apigw import Client
from tests.packaging import DB_SECRET_ARN, JWT_SECRET_ARN, ROOT, condition_holds, sls_env

FUNCTION_ZIP_LIMIT = 50 * 1024
# Lambda allows 250 MB for a function and its layers together; the byte code roughly
# doubles what the sources take, and the shop stays far below the limit.
LAYER_UNZIPPED_LIMIT = 60 * 1024 * 1024
# The flags word of a .pyc (PEP 552): bit 0 hash-based, bit 1 check the source.
UNCHECKED_HASH, CHECKED_HASH = 0b01, 0b11
# The secrets each function may read; a new function must be added here, on purpose.
SECRETS_NEEDED = {
    "meta": {DB_SECRET_ARN},
    "migrate": {DB_SECRET_ARN},
    "auth": {DB_SECRET_ARN, JWT_SECRET_ARN},
    "manage": {DB_SECRET_ARN, JWT_SECRET_ARN},
    "users": {DB_SECRET_ARN, JWT_SECRET_ARN},
    "products": {DB_SECRET_ARN, JWT_SECRET_ARN},
    "catalog_import": {DB_SECRET_ARN},
    "orders": {DB_SECRET_ARN, JWT_SECRET_ARN},
    "order_events": {DB_SECRET_ARN},
    "housekeeping": {DB_SECRET_ARN},
}
# Queue and mail grants: who may publish order events, and who consumes and mails them.
ORDERS_QUEUE = {"Fn::GetAtt": ["OrdersQueue", "Arn"]}
QUEUE_ACTIONS = {
    "orders": {"sqs:SendMessage"},
    "housekeeping": {"sqs:SendMessage"},
    "order_events": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
}
# What each function may do to the CSV files under imports/ in the imports bucket: products
# signs upload URLs (which act with its permission), catalog_import reads the uploads (the
# version its event names: the bucket is versioned).
IMPORT_FILE_ACTIONS = {
    "products": {"s3:PutObject"},
    "catalog_import": {"s3:GetObject", "s3:GetObjectVersion"},
}
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
# Where Lambda sends the asynchronous invocations it gives up on (test_trigger_failures.py).
TRIGGERS_DLQ = {"Fn::GetAtt": ["TriggersDeadLetterQueue", "Arn"]}
# AWSLambdaVPCAccessExecutionRole's actions, which every role gets when the stack is
# deployed into a VPC (test_network.py).
VPC_ACTIONS = {
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
}


@pytest.fixture(scope="module")
def layer(package_dir: Path) -> Iterator[zipfile.ZipFile]:
    with zipfile.ZipFile(package_dir / "shared.zip") as archive:
        yield archive


def handler_module(function: dict) -> str:
    return function["handler"].rsplit(".", 1)[0] + ".py"


def resources_of_type(template: dict, kind: str) -> dict[str, dict]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def lambda_functions(template: dict, functions: dict[str, dict]) -> dict[str, dict]:
    """Function name (as in serverless.yml) → its AWS::Lambda::Function properties."""
    names = {function["name"]: name for name, function in functions.items()}
    return {
        names[resource["Properties"]["FunctionName"]]: resource["Properties"]
        for resource in resources_of_type(template, "AWS::Lambda::Function").values()
    }


def log_group_of(template: dict, function: dict) -> str:
    """Logical id of the log group that the function writes to."""
    name = f"/aws/lambda/{function['FunctionName']}"
    return next(
        logical_id
        for logical_id, group in resources_of_type(template, "AWS::Logs::LogGroup").items()
        if group["Properties"]["LogGroupName"] == name
    )


def granted_statements(template: dict, role: dict) -> list[dict]:
    """The role's statements as deployed with the packaged parameters (secrets configured)."""
    statements = []
    for policy in role["Properties"]["Policies"]:
        for written in policy["PolicyDocument"]["Statement"]:
            statement = written
            if "Fn::If" in written:
                condition, statement, otherwise = written["Fn::If"]
                if not condition_holds(template, condition):
                    assert otherwise == {"Ref": "AWS::NoValue"}
                    continue
            resource = statement["Resource"]
            if isinstance(resource, dict) and "Ref" in resource:
                resource = template["Parameters"][resource["Ref"]]["Default"]
            statements.append({**statement, "Resource": resource})
    return statements


def as_set(value: str | list[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def test_every_function_zip_holds_only_its_own_handler(package_dir, functions):
    for name, function in functions.items():
        with zipfile.ZipFile(package_dir / f"{name}.zip") as archive:
            files = set(archive.namelist())
        listed = {p for p in function["package"]["patterns"] if not p.startswith("!")}
        assert files == listed, f"{name}.zip holds {sorted(files)}, serverless.yml lists {listed}"
        assert {"handlers/__init__.py", handler_module(function)} <= files, name
        sources = {f for f in files if f.endswith(".py")}
        assert all(f.startswith("handlers/") for f in files), name
        assert files - sources == {byte_code_of(f) for f in sources}, name


def byte_code_of(source: str) -> str:
    folder, _, module = source.rpartition("/")
    return f"{folder}/__pycache__/{module[:-3]}.cpython-312.pyc"


def pyc_flags(archive: zipfile.ZipFile, name: str) -> int:
    return int.from_bytes(archive.read(name)[4:8], "little")


def test_function_zips_carry_byte_code_that_checks_its_source(package_dir, functions):
    for name in functions:
        with zipfile.ZipFile(package_dir / f"{name}.zip") as archive:
            compiled = [n for n in archive.namelist() if n.endswith(".pyc")]
            assert compiled, name
            assert {pyc_flags(archive, n) for n in compiled} == {CHECKED_HASH}, name


def test_every_module_of_the_layer_ships_as_unchecked_byte_code_for_python_3_12(layer):
    names = set(layer.namelist())
    sources = {n for n in names if n.endswith(".py")}
    missing = sorted(s for s in sources if byte_code_of(s) not in names)
    assert not missing, missing[:10]
    assert {pyc_flags(layer, byte_code_of(s)) for s in sources} == {UNCHECKED_HASH}
    magic = {layer.read(byte_code_of(s))[:4] for s in list(sources)[:50]}
    assert magic == {(3531).to_bytes(2, "little") + b"\r\n"}  # CPython 3.12's magic number


def test_meta_carries_the_route_modules_of_the_http_functions_and_no_other(package_dir, functions):
    http_modules = {
        handler_module(function)
        for function in functions.values()
        if any("httpApi" in event for event in function["events"])
    }
    with zipfile.ZipFile(package_dir / "meta.zip") as archive:
        modules = {name for name in archive.namelist() if name.endswith(".py")}
    assert modules == {*http_modules, "handlers/__init__.py"}


def test_function_zips_stay_under_50_kb(package_dir, functions):
    sizes = {name: (package_dir / f"{name}.zip").stat().st_size for name in functions}
    assert all(size < FUNCTION_ZIP_LIMIT for size in sizes.values()), sizes


def test_the_layer_carries_the_shared_package_and_dependencies_built_for_lambda(layer):
    names = layer.namelist()
    assert "python/shared/__init__.py" in names
    for package in ("flask", "sqlalchemy", "pydantic_core"):
        assert any(n.startswith(f"python/{package}/") for n in names), package
    assert any(
        re.fullmatch(r"python/pydantic_core/_pydantic_core\.cpython-312-x86_64-linux-gnu\.so", n)
        for n in names
    )
    wheel_tags = next(
        layer.read(n).decode()
        for n in names
        if re.fullmatch(r"python/pydantic_core-[^/]+\.dist-info/WHEEL", n)
    )
    assert re.search(r"^Tag: cp312-cp312-manylinux\S*_x86_64", wheel_tags, re.MULTILINE)


def test_the_layer_leaves_boto3_to_the_lambda_runtime(layer):
    tops = {n.split("/")[1] for n in layer.namelist() if n.count("/") >= 2}
    assert not {"boto3", "botocore", "s3transfer"} & tops
    assert not any(t.startswith(("boto3-", "botocore-")) for t in tops)


def test_the_layer_stays_far_under_lambdas_250_mb_unzipped(layer):
    unzipped = sum(info.file_size for info in layer.infolist())
    assert unzipped < LAYER_UNZIPPED_LIMIT, f"{unzipped / 2**20:.1f} MB"


def test_the_layer_keeps_every_asset_the_docs_page_loads(layer):
    from handlers.meta import handler

    page = Client(handler).get("/docs")
    # Each asset is named /docs/<digest>/<file>. init.js is the page's own script, served
    # from handlers/meta.py, not from Swagger UI.
    assets = [
        a
        for a in re.findall(r'(?:href|src)="/docs/[0-9a-f]+/([^"]+)"', page.text)
        if a != "init.js"
    ]
    names = layer.namelist()
    assert assets, page.text
    for asset in assets:
        pattern = rf"python/swagger_ui_bundle/vendor/swagger-ui-[^/]+/{re.escape(asset)}"
        assert any(re.fullmatch(pattern, n) for n in names), asset


def test_the_shop_runs_without_the_modules_the_layer_leaves_out(package_dir, functions, tmp_path):
    # build_layer (run for package_dir) drops modules the shop never imports; run the
    # handlers with those imports blocked, so a new import of one fails here, not on Lambda.
    left_out = (ROOT / ".build" / "layer-stripped-modules.txt").read_text().split()
    handler_modules = sorted(handler_module(f)[:-3].replace("/", ".") for f in functions.values())
    script = f"""
import importlib, importlib.abc, json, sys

LEFT_OUT = {left_out!r}

class LeftOutOfTheLayer(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == m or name.startswith(m + ".") for m in LEFT_OUT):
            raise ModuleNotFoundError(f"{{name}} is left out of the Lambda layer")

sys.meta_path.insert(0, LeftOutOfTheLayer())

import argon2, email_validator, sqlalchemy
import alembic.ddl.postgresql

for module in {handler_modules!r}:
    importlib.import_module(module)
from handlers import meta, migrate

migrate.handler({{}}, None)
with open("tests/events/http_v2_get_health.json") as event:
    reply = meta.handler(json.load(event), None)
assert reply["statusCode"] == 200, reply
argon2.PasswordHasher().hash("correct horse battery staple")
email_validator.validate_email("ann@example.com", check_deliverability=False)
sqlalchemy.create_engine("postgresql+pg8000://shop@db.internal/shop")
"""
    env = sls_env(DATABASE_URL=f"sqlite:///{tmp_path}/shop.db", SHOP_LOCAL_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_function_uses_the_one_shared_layer(template, functions):
    layers = list(resources_of_type(template, "AWS::Lambda::LayerVersion"))
    assert len(layers) == 1, layers
    compiled = lambda_functions(template, functions)
    assert set(compiled) == set(functions)
    for name, function in compiled.items():
        assert function["Layers"] == [{"Ref": layers[0]}], name


def test_every_function_runs_on_the_python_the_layer_is_built_for(template, functions):
    (layer,) = resources_of_type(template, "AWS::Lambda::LayerVersion").values()
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    for name, function in lambda_functions(template, functions).items():
        assert function["Runtime"] == "python3.12", name
        assert function["Architectures"] == ["x86_64"], name


def test_every_function_runs_under_a_role_of_its_own(template, functions):
    roles = {
        name: function["Role"]["Fn::GetAtt"][0]
        for name, function in lambda_functions(template, functions).items()
    }
    assert set(roles) == set(functions)
    assert len(set(roles.values())) == len(roles), roles
    for role in roles.values():
        assert template["Resources"][role]["Type"] == "AWS::IAM::Role"
    assert "IamRoleLambdaExecution" not in template["Resources"]


def imports_bucket(template: dict) -> str:
    """The name of the one bucket the service creates: the imports bucket."""
    buckets = [
        bucket["Properties"]["BucketName"]
        for logical_id, bucket in resources_of_type(template, "AWS::S3::Bucket").items()
        if logical_id != "ServerlessDeploymentBucket"
    ]
    assert len(buckets) == 1, buckets
    return buckets[0]


def test_each_function_may_write_its_own_logs_and_read_only_the_secrets_it_needs(
    template, functions
):
    compiled = lambda_functions(template, functions)
    assert set(compiled) == set(SECRETS_NEEDED), "give each new function its SECRETS_NEEDED"
    import_files = f"arn:aws:s3:::{imports_bucket(template)}/imports/*"
    for name, function in compiled.items():
        role = template["Resources"][function["Role"]["Fn::GetAtt"][0]]
        log_group = log_group_of(template, function)
        secrets: set[str] = set()
        file_actions: set[str] = set()
        queue_actions: set[str] = set()
        for statement in granted_statements(template, role):
            assert statement["Effect"] == "Allow"
            actions = as_set(statement["Action"])
            if actions == {"secretsmanager:GetSecretValue"}:
                secrets |= as_set(statement["Resource"])
            elif all(action.startswith("s3:") for action in actions):
                assert statement["Resource"] == import_files, (name, statement)
                file_actions |= actions
            elif statement["Resource"] == TRIGGERS_DLQ:
                assert actions == {"sqs:SendMessage"}, (name, statement)
            elif all(action.startswith("sqs:") for action in actions):
                assert statement["Resource"] == ORDERS_QUEUE, (name, statement)
                queue_actions |= actions
            elif actions == VPC_ACTIONS:
                assert statement["Resource"] == "*", name
            elif actions == {"ses:SendEmail"}:
                assert name == "order_events", name
                # Only as the shop's own sender address.
                assert "ses:FromAddress" in statement["Condition"]["StringEquals"]
            else:
                assert actions == LOG_ACTIONS, (name, actions)
                assert statement["Resource"] == {"Fn::GetAtt": [log_group, "Arn"]}, name
        assert secrets == SECRETS_NEEDED[name], name
        assert file_actions == IMPORT_FILE_ACTIONS.get(name, set()), name
        assert queue_actions == QUEUE_ACTIONS.get(name, set()), name


def test_order_events_consume_the_orders_queue_in_batches_of_ten_with_partial_failures(
    template, functions
):
    compiled = lambda_functions(template, functions)
    (mapping,) = resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
    properties = mapping["Properties"]
    function_id = properties["FunctionName"]["Fn::GetAtt"][0]
    assert template["Resources"][function_id]["Properties"] == compiled["order_events"]
    assert properties["EventSourceArn"] == ORDERS_QUEUE
    assert properties["BatchSize"] == 10
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = template["Resources"]["OrdersQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["OrdersDeadLetterQueue", "Arn"]
    }
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 1
    assert queue["VisibilityTimeout"] >= 6 * compiled["order_events"]["Timeout"]


def test_housekeeping_runs_every_five_minutes(template, functions):
    (rule,) = resources_of_type(template, "AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    compiled = lambda_functions(template, functions)
    (target,) = rule["Properties"]["Targets"]
    function_id = target["Arn"]["Fn::GetAtt"][0]
    assert template["Resources"][function_id]["Properties"] == compiled["housekeeping"]


def test_functions_publish_to_the_stacks_own_orders_queue(template, functions):
    for name, function in lambda_functions(template, functions).items():
        assert function["Environment"]["Variables"]["ORDERS_QUEUE_URL"] == {"Ref": "OrdersQueue"}, (
            name
        )


def test_csv_files_uploaded_under_imports_to_the_imports_bucket_start_catalog_import(
    template, functions
):
    bucket = imports_bucket(template)
    (notified,) = [
        resource
        for resource in resources_of_type(template, "AWS::S3::Bucket").values()
        if resource["Properties"].get("BucketName") == bucket
    ]
    (target,) = notified["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    compiled = lambda_functions(template, functions)
    function_id = target["Function"]["Fn::GetAtt"][0]
    assert template["Resources"][function_id]["Properties"] == compiled["catalog_import"]
    assert target["Event"] == "s3:ObjectCreated:*"
    assert target["Filter"]["S3Key"]["Rules"] == [
        {"Name": "prefix", "Value": "imports/"},
        {"Name": "suffix", "Value": ".csv"},
    ]
    assert notified["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    for name in ("products", "catalog_import"):
        assert compiled[name]["Environment"]["Variables"]["IMPORTS_BUCKET"] == bucket, name


def test_every_routed_path_hands_every_method_to_its_function(functions):
    # API Gateway answers an unrouted method with its own 404; the contract promises 405.
    for name, function in functions.items():
        for event in function["events"]:
            route = event.get("httpApi")
            if isinstance(route, dict):
                assert route["method"] == "*", (name, route)


def test_no_function_sets_pythonpath(template, functions):
    for name, function in lambda_functions(template, functions).items():
        variables = function.get("Environment", {}).get("Variables", {})
        assert "PYTHONPATH" not in variables, name
