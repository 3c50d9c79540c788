"""People's web room: mediators (with their assignments) and portal accounts."""
from __future__ import annotations

from flask_babel import lazy_gettext


def add_views(admin) -> None:
    from org.models import Mediator, User

    from .mediators import MediatorView
    from .users import UserView

    people = lazy_gettext("人员")
    admin.add_view(MediatorView(Mediator, name=lazy_gettext("调解员"), category=people,
                                endpoint="mediators"))
    admin.add_view(UserView(User, name=lazy_gettext("账号"), category=people, endpoint="users"))
