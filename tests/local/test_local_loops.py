"""The README's run command shows the shop's whole loops on a laptop, with no AWS account."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.local.conftest import ROOT, local_env

WAIT_SECONDS = 30


def eventually(check: Callable[[], object]) -> object:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def token_for(http, server, email: str, *, admin: bool = False) -> str:
    password = "a long enough password"
    if admin:
        # As the README tells a developer: scripts/manage, in another shell.
        env = local_env(server.local_dir, server.http_port, server.lambda_port, server.aws_port)
        subprocess.run(
            [
                str(ROOT / "scripts" / "manage"),
                "create-admin",
                f"--email={email}",
                "--name=A",
                f"--password={password}",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    else:
        http.post(
            f"{server.base_url}/auth/register",
            json={"email": email, "password": password, "name": "C"},
        )
    reply = http.post(f"{server.base_url}/auth/login", json={"email": email, "password": password})
    return reply.json()["access_token"]


def test_a_placed_order_is_confirmed_moments_later_and_its_mail_can_be_read(local_server, http):
    token = token_for(http, local_server, "buyer@example.com")
    headers = {"Authorization": f"Bearer {token}"}
    product = http.get(f"{local_server.base_url}/products", params={"in_stock": "true"}).json()[
        "items"
    ][0]

    placed = http.post(
        f"{local_server.base_url}/orders",
        headers=headers,
        json={"items": [{"product_id": product["id"], "quantity": 1}]},
    )
    assert placed.status_code == 201, placed.text
    order_url = f"{local_server.base_url}/orders/{placed.json()['id']}"

    status = eventually(
        lambda: http.get(order_url, headers=headers).json()["status"] == "confirmed"
    )
    assert status, local_server.output()
    mails = eventually(lambda: sorted((Path(local_server.local_dir) / "mail").glob("*.txt")))
    assert mails, local_server.output()
    assert "buyer@example.com" in mails[-1].read_text()


def test_a_csv_uploaded_to_the_presigned_url_is_imported_with_its_report(local_server, http):
    token = token_for(http, local_server, "boss@example.com", admin=True)
    headers = {"Authorization": f"Bearer {token}"}
    started = http.post(f"{local_server.base_url}/products/imports", headers=headers)
    assert started.status_code == 201, started.text
    upload = started.json()
    csv = "\r\n".join(
        [
            "sku,name,description,category,price_cents,stock",
            'LOCAL-1,Local lamp,"Warm, bright",office,2500,4',
            "LOCAL-2,Broken,,office,not-a-price,1",
            "",
        ]
    )

    put = http.put(upload["upload_url"], data=csv.encode(), headers=upload["upload_headers"])
    assert put.status_code == 200, put.text

    report_url = f"{local_server.base_url}/products/imports/{upload['import_id']}"
    report = eventually(
        lambda: (
            (r := http.get(report_url, headers=headers).json())["status"] in ("done", "failed")
            and r
        )
    )
    assert report, local_server.output()
    assert report["status"] == "done"
    assert (report["created"], report["updated"]) == (1, 0)
    assert [row["line"] for row in report["rejected"]] == [3]
