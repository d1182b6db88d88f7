"""scripts/manage: the manage function's commands, from a terminal.

    scripts/manage create-admin --email you@example.com --name You [--reset-password]
    scripts/manage seed-demo

Each command and its options come from the manage event's schema
(shared/schemas/commands.py): a field is an option (`reset_password` is
`--reset-password`), and a password left out is asked for without echo. The event goes to
the manage function's own handler in this process, so it runs exactly what
`sls invoke -f manage` runs. Every failure is one line on standard error, never a
traceback: a bad command or option (exit 2), a refused event, a bad setting or an
unreachable database (exit 1).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import typing
from typing import NoReturn

from sqlalchemy.exc import DBAPIError

from scripts.dev_session import shown
from shared.config import ConfigError, load_settings
from shared.errors import ShopError
from shared.schemas.commands import Command

PROGRAM = "scripts/manage"


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROGRAM}: {message} (see {PROGRAM} --help)\n")


def commands() -> dict[str, type]:
    """The manage event's models by command name, as its schema declares them."""
    union = typing.get_args(Command)[0]
    return {
        typing.get_args(model.model_fields["command"].annotation)[0]: model
        for model in typing.get_args(union)
    }


def parser() -> argparse.ArgumentParser:
    top = OneLineParser(prog=PROGRAM, description="Operator commands of the manage function.")
    subparsers = top.add_subparsers(dest="command", required=True, metavar="command")
    for name, model in commands().items():
        sub = subparsers.add_parser(name, help=model.__doc__, description=model.__doc__)
        sub.error = top.error  # one line for a bad option too
        for field, info in model.model_fields.items():
            if field == "command":
                continue
            flag = f"--{field.replace('_', '-')}"
            if info.annotation is bool:
                sub.add_argument(flag, dest=field, action="store_true", help=info.description)
            else:
                # A missing password is asked for; anything else missing is an error.
                required = info.is_required() and field != "password"
                sub.add_argument(flag, dest=field, required=required)
    return top


def event_of(arguments: argparse.Namespace) -> dict:
    """The manage event for parsed `arguments`: what `sls invoke -f manage -d` would send."""
    event = {key: value for key, value in vars(arguments).items() if value is not None}
    model = commands()[event["command"]]
    if "password" in model.model_fields and "password" not in event:
        event["password"] = getpass.getpass(f"password for {event.get('email', 'the account')}: ")
    return event


def fail(message: str) -> NoReturn:
    print(f"{PROGRAM}: {message}", file=sys.stderr)
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    event = event_of(parser().parse_args(argv))
    try:
        database = load_settings().database_url
    except ConfigError as error:
        fail(str(error))
    # Never silent about where it writes: the one thing a second shell can get wrong.
    print(f"database: {database and shown(database)}", file=sys.stderr)
    from handlers.manage import handler

    try:
        result = handler(event, None)
    except (ShopError, ConfigError) as error:
        fail(str(error))
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
        fail(f"the database failed: {reason} (is it migrated? scripts/dev migrates it)")
    if "message" in result:
        print(result["message"])
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
