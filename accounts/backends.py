"""The authentication backends: Django's and allauth's, loading the signed-in user the
way every request needs it.

Each request reads its user, then the user's tenant (the Scope) and whether the user has
a TOTP authenticator (``accounts.mfa``): three queries on every page. Here they are one:
the user with its tenant joined and the authenticator's existence as a column
(``has_totp_authenticator``, which ``accounts.mfa.has_totp`` uses when present).

That query is compiled once per thread and database, not on every request: building
and compiling it (a join and an EXISTS) took longer than PostgreSQL took to answer it,
and every page waits for the user before anything else can start. The rows become
objects as the ORM's own iterator makes them (``ModelIterable``: ``from_db``, the
related populators, the annotations). Authentication itself (passwords, allauth's login
by email) is unchanged.
"""

from __future__ import annotations

import threading

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Exists, OuterRef
from django.db.models.query import get_related_populators

# A user id no one has: the compiled query's parameter, replaced by the real one.
_ID_MARK = -7_654_321


def users_as_requests_load_them():
    totp = Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return (
        get_user_model()
        ._default_manager.select_related("tenant")
        .annotate(has_totp_authenticator=Exists(totp))
    )


class _Compiled:
    """``users_as_requests_load_them().filter(pk=...)[:1]`` compiled for one database on
    one thread (a compiler holds its thread's connection)."""

    def __init__(self, db: str):
        self.db = db
        query = users_as_requests_load_them().filter(pk=_ID_MARK)[:1].query
        self.compiler = query.get_compiler(using=db)
        self.sql, params = self.compiler.as_sql()  # fills select, klass_info, annotations
        self.params = list(params)
        self.id_at = self.params.index(_ID_MARK)
        select, klass_info = self.compiler.select, self.compiler.klass_info
        fields = klass_info["select_fields"]
        self.model_slice = slice(fields[0], fields[-1] + 1)
        self.init_list = [f[0].target.attname for f in select[self.model_slice]]
        self.related_populators = get_related_populators(klass_info, select, db)
        self.annotations = dict(self.compiler.annotation_col_map or {})
        self.model = klass_info["model"]

    def get(self, user_id):
        params = list(self.params)
        params[self.id_at] = user_id
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            found = cursor.fetchall()
        for row in self.compiler.results_iter(results=[found]):
            user = self.model.from_db(self.db, self.init_list, row[self.model_slice])
            for populator in self.related_populators:
                populator.populate(row, user)
            for name, at in self.annotations.items():
                setattr(user, name, row[at])
            return user
        return None


_compiled = threading.local()


def load_request_user(user_id):
    """The user with this id, its tenant and its TOTP flag, in one query; None when there
    is no such user."""
    model = get_user_model()
    try:
        user_id = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    db = router.db_for_read(model)
    compiled = getattr(_compiled, db, None)
    if compiled is None:
        compiled = _Compiled(db)
        setattr(_compiled, db, compiled)
    return compiled.get(user_id)


class _LoadsTheRequestUser:
    def get_user(self, user_id):
        user = load_request_user(user_id)
        # As ModelBackend.get_user: an inactive user is never loaded (signed out).
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsTheRequestUser, backends.ModelBackend):
    pass


class AllauthBackend(_LoadsTheRequestUser, AuthenticationBackend):
    pass
