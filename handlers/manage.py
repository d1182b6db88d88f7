"""manage function: operator commands, invoked with {"command": ...}."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from handlers import init_done
from shared import db
from shared.errors import InvalidInput
from shared.log import logger
from shared.schemas.base import field_errors
from shared.schemas.commands import Command, CreateAdmin, SeedDemo
from shared.services import admins, demo

COMMANDS = TypeAdapter(Command)
# What create-admin did, in words for the operator who ran it: the account, then its password.
ADMIN_STATUS = {
    "created": "created the admin account",
    "promoted": "the account already existed: it is now an active admin",
    "unchanged": "the account already existed as an active admin",
}
ADMIN_PASSWORD = {
    "set": "",
    "kept": (
        "; its password was kept (to set the one given: scripts/manage --reset-password,"
        ' or "reset_password": true in the event)'
    ),
    "reset": "; its password is now the one given, and its sessions have ended",
}


def handler(event: dict, context: object) -> dict:
    try:
        command = COMMANDS.validate_python(event)
    except ValidationError as error:
        problems = "; ".join(f"{e['field']}: {e['message']}" for e in field_errors(error))
        raise InvalidInput(f"invalid manage command: {problems}") from None
    with db.session_scope() as session:
        if isinstance(command, CreateAdmin):
            result = admins.create_admin(
                session,
                email=command.email,
                password=command.password,
                name=command.name,
                reset_password=command.reset_password,
            )
            result["message"] = ADMIN_STATUS[result["status"]] + ADMIN_PASSWORD[result["password"]]
        elif isinstance(command, SeedDemo):
            result = demo.seed_demo(session)
    logger.info("manage command done", command=command.command, result=result)
    return result


init_done()  # last: everything above lives as long as the container
