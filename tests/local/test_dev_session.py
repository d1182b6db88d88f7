"""What scripts/dev settles before it starts anything: free ports, and the database named."""

from __future__ import annotations

import socket
import subprocess

import pytest

from scripts.dev_session import PortProblem, check_ports, shown, write_env_file
from tests.local.conftest import free_ports


@pytest.fixture
def ports() -> dict[str, str]:
    names = ("SHOP_HTTP_PORT", "SHOP_LAMBDA_PORT", "SHOP_AWS_PORT")
    return dict(zip(names, map(str, free_ports(3)), strict=True))


def test_free_ports_pass_the_check(ports):
    check_ports(ports)


@pytest.mark.parametrize("setting", ["SHOP_HTTP_PORT", "SHOP_LAMBDA_PORT", "SHOP_AWS_PORT"])
def test_a_port_in_use_is_refused_with_the_setting_that_moves_it(ports, setting):
    listening = socket.create_server(("127.0.0.1", int(ports[setting])))
    with listening, pytest.raises(PortProblem) as refused:
        check_ports(ports)

    message = str(refused.value)
    assert "\n" not in message
    assert f"port {ports[setting]} is already in use" in message
    assert f"{setting}=<port>" in message


def test_one_port_for_two_servers_is_refused_naming_both_settings(ports):
    ports["SHOP_AWS_PORT"] = ports["SHOP_HTTP_PORT"]

    with pytest.raises(PortProblem, match="SHOP_AWS_PORT and SHOP_HTTP_PORT are both"):
        check_ports(ports)


def test_a_port_that_is_not_a_number_is_refused_by_name(ports):
    ports["SHOP_LAMBDA_PORT"] = "three thousand"

    with pytest.raises(PortProblem, match="SHOP_LAMBDA_PORT=three thousand is not a TCP port"):
        check_ports(ports)


def test_the_database_is_named_without_its_password():
    url = "postgresql+pg8000://shop:s3cret@db.example:5432/shop"

    assert shown(url) == "postgresql+pg8000://shop:***@db.example:5432/shop"


def test_the_env_file_gives_another_shell_the_very_url_and_no_one_else_can_read_it(tmp_path):
    url = "postgresql+pg8000://shop:it's $ecret@db:5432/shop"

    path = write_env_file(tmp_path, url)

    sourced = subprocess.run(
        ["bash", "-c", f'source "{path}" && printf %s "$DATABASE_URL"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sourced == url
    assert path.stat().st_mode & 0o777 == 0o600
