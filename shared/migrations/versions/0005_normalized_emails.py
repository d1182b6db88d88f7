"""E-mail addresses rewritten in their one stored form (shared/emails.py)

Accounts registered before the normalization keep the address as it was typed, merely
lower-cased: a punycode domain, or a local part in NFD. Login now looks up the normalized
form, so those accounts are rewritten to it. Only addresses with non-ASCII characters or
an `xn--` label can change. An address whose normalized form another account already has
(one mailbox, two accounts) is left as it is and logged: that account can no longer log
in, and an operator decides which of the two to keep.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.emails import InvalidEmail, canonical_email
from shared.log import logger

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))


def upgrade() -> None:
    connection = op.get_bind()
    for user_id, email in connection.execute(
        sa.select(users.c.id, users.c.email)
        .where(_may_change(connection.dialect.name))
        .order_by(users.c.id)
    ).all():
        try:
            normalized = canonical_email(email)
        except InvalidEmail as error:
            logger.warning("stored address left as it is", user_id=user_id, reason=str(error))
            continue
        if normalized == email:
            continue
        holder = connection.scalar(sa.select(users.c.id).where(users.c.email == normalized))
        if holder is not None:
            logger.warning("one mailbox, two accounts", user_id=user_id, kept_user_id=holder)
            continue
        connection.execute(users.update().where(users.c.id == user_id).values(email=normalized))


def downgrade() -> None:
    """Nothing to undo: the normalized form is as valid an address as the one typed."""


def _may_change(dialect: str) -> sa.ColumnElement[bool]:
    if dialect == "postgresql":
        non_ascii = sa.func.octet_length(users.c.email) != sa.func.char_length(users.c.email)
    else:
        non_ascii = sa.func.length(sa.cast(users.c.email, sa.LargeBinary)) != sa.func.length(
            users.c.email
        )
    return sa.or_(non_ascii, users.c.email.like("%xn--%"))
