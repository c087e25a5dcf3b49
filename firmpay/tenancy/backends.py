"""The authentication backend: Django's ModelBackend (email and password, active users only),
reading the signed-in user of each request together with their memberships and firms.

Every page of the firm's app needs the user, their membership of the session's firm and
that firm. ModelBackend reads the user, then `CurrentFirmMiddleware` read the membership
and firm: two queries per request. Here one query reads the memberships joined to the user
and the firm (`user.signed_in_memberships`, oldest first), and the middleware picks the
session's firm from them; for a user with no firm (support staff) it is the user query.
Nothing is kept between requests: Django still checks the session's password hash on the
user read here, an inactive user is refused, and a membership removed since the last
request is simply not read.

The query is plain SQL over every column of the three models, its rows converted by the
database backend's and the fields' own converters (as the ORM does) and built with
`Model.from_db`: the ORM spent about ten times longer compiling the join than the database
spent running it, on every request.
"""

import functools

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from firmpay.tenancy.models import Firm, Membership, User

_PARTS = ((Membership, "m"), (User, "u"), (Firm, "f"))


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        memberships = _memberships_with_user_and_firm(user_id)
        if not memberships:
            user = super().get_user(user_id)
            if user is not None:
                user.signed_in_memberships = []
            return user
        user = memberships[0].user
        user.signed_in_memberships = memberships
        return user if self.user_can_authenticate(user) else None


def _memberships_with_user_and_firm(user_id) -> list[Membership]:
    """The user's memberships, oldest first, each with `.user` (one object) and `.firm`."""
    using = router.db_for_read(Membership)
    sql, models = _statement(using)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = cursor.fetchall()
    memberships, user = [], None
    for row in rows:
        values = iter(row)
        membership, row_user, firm = (
            model.from_db(using, names, [convert(next(values), connection) for convert in columns])
            for model, names, columns in models
        )
        user = user or row_user  # one user object, as `request.user`
        membership.user, membership.firm = user, firm
        memberships.append(membership)
    return memberships


@functools.cache
def _statement(using: str):
    """The SQL, and per model its field names and a converter per column, for a database."""
    connection = connections[using]
    quote = connection.ops.quote_name
    selected, models = [], []
    for model, alias in _PARTS:
        fields = model._meta.concrete_fields
        selected += [f"{alias}.{quote(field.column)}" for field in fields]
        columns = [_Column(field.get_col(alias), connection) for field in fields]
        models.append((model, [field.attname for field in fields], columns))
    table = {model: quote(model._meta.db_table) for model, _alias in _PARTS}
    user_id, firm_id = (quote(Membership._meta.get_field(name).column) for name in ("user", "firm"))
    # Only quoted table and column names go into the text; the user id is a parameter.
    sql = (
        f"SELECT {', '.join(selected)} FROM {table[Membership]} m "  # noqa: S608
        f"JOIN {table[User]} u ON u.{quote(User._meta.pk.column)} = m.{user_id} "
        f"JOIN {table[Firm]} f ON f.{quote(Firm._meta.pk.column)} = m.{firm_id} "
        f"WHERE m.{user_id} = %s ORDER BY m.{quote(Membership._meta.pk.column)}"
    )
    return sql, models


class _Column:
    """A selected column's converters, the backend's then the field's, as the ORM applies."""

    def __init__(self, column, connection) -> None:
        self.column = column
        self.converters = connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        )

    def __call__(self, value, connection):
        for converter in self.converters:
            value = converter(value, self.column, connection)
        return value
