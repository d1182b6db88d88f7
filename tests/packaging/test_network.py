"""The functions join the database's VPC when a deploy names its subnets, and only then.

VPC_SUBNET_IDS and VPC_SECURITY_GROUP_IDS become the stack's parameters; the condition
HasVpc puts every function into those subnets and gives every role the network-interface
actions Lambda needs there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.packaging import package_service
from tests.packaging.test_package import VPC_ACTIONS, lambda_functions

SUBNETS, SECURITY_GROUPS = "subnet-0a1b2c3d,subnet-4e5f6a7b", "sg-0123abcd"


@pytest.fixture(scope="module")
def vpc_template(tmp_path_factory: pytest.TempPathFactory) -> dict:
    packaged: Path = package_service(
        tmp_path_factory.mktemp("vpc"),
        VPC_SUBNET_IDS=SUBNETS,
        VPC_SECURITY_GROUP_IDS=SECURITY_GROUPS,
    )
    return json.loads((packaged / "cloudformation-template-update-stack.json").read_text())


def has_vpc(template: dict) -> bool:
    """HasVpc as CloudFormation evaluates it with the parameters' defaults."""
    (negated,) = template["Conditions"]["HasVpc"]["Fn::Not"]
    reference, empty = negated["Fn::Equals"]
    return template["Parameters"][reference["Ref"]]["Default"] != empty


def vpc_configs(template: dict, functions: dict) -> dict[str, dict]:
    """Function name → its VpcConfig when HasVpc holds, checking it is nothing otherwise."""
    configs = {}
    for name, function in lambda_functions(template, functions).items():
        condition, config, otherwise = function["VpcConfig"]["Fn::If"]
        assert (condition, otherwise) == ("HasVpc", {"Ref": "AWS::NoValue"}), name
        configs[name] = config
    return configs


def network_interface_grants(template: dict, role: dict) -> list[str]:
    """The conditions under which the role may manage network interfaces."""
    grants = []
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                condition, granted, otherwise = statement["Fn::If"]
                if set(granted["Action"]) == VPC_ACTIONS:
                    assert otherwise == {"Ref": "AWS::NoValue"}
                    assert granted["Resource"] == "*"
                    grants.append(condition)
            else:
                assert not VPC_ACTIONS & set(statement["Action"]), statement
    return grants


def test_by_default_no_function_is_in_a_vpc(template, functions):
    assert not has_vpc(template)
    assert set(vpc_configs(template, functions)) == set(functions)


@pytest.mark.parametrize("deploy", ["default", "vpc"])
def test_every_role_may_manage_network_interfaces_only_when_its_function_is_in_the_vpc(
    deploy, template, vpc_template, functions
):
    packaged = vpc_template if deploy == "vpc" else template
    for name, function in lambda_functions(packaged, functions).items():
        role = packaged["Resources"][function["Role"]["Fn::GetAtt"][0]]
        assert network_interface_grants(packaged, role) == ["HasVpc"], name


def test_with_subnets_named_every_function_joins_them_with_its_security_groups(
    vpc_template, functions
):
    assert has_vpc(vpc_template)
    parameters = vpc_template["Parameters"]
    assert parameters["VpcSubnetIds"]["Default"] == SUBNETS
    assert parameters["VpcSecurityGroupIds"]["Default"] == SECURITY_GROUPS
    for name, config in vpc_configs(vpc_template, functions).items():
        assert config == {
            "SubnetIds": {"Fn::Split": [",", {"Ref": "VpcSubnetIds"}]},
            "SecurityGroupIds": {"Fn::Split": [",", {"Ref": "VpcSecurityGroupIds"}]},
        }, name
