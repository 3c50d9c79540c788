"""The training domain's fixtures (seeded reference rows, the session factory), and the people
of the training pages: a coordinator and a manager of QD-02 (市南) and of QD-11 (黄岛), the
city's administrator, and mediators in both districts."""
from __future__ import annotations

import pytest

from tests.training.conftest import at, make_session, training_ref  # noqa: F401


@pytest.fixture
def people(network, make_mediator, make_user, training_ref):  # noqa: F811
    m1 = make_mediator(network["room1"], staff_no="M001", name="王一")
    m2 = make_mediator(network["room2"], staff_no="M002", name="王二")
    m3 = make_mediator(network["room3"], staff_no="M003", name="黄三")
    make_user("admin1", role="admin")
    make_user("t02", role="trainer", organization=network["shinan"])
    make_user("t11", role="trainer", organization=network["huangdao"])
    make_user("mgr02", role="manager", organization=network["shinan"])
    make_user("med1", role="mediator", mediator=m1)
    make_user("med3", role="mediator", mediator=m3)
    return {"m1": m1, "m2": m2, "m3": m3}
