"""The accounts a load run logs in with, and one API token each, written for locustfile.py.

    python -m tests.load.accounts OUT.json shinan huangdao            # demo accounts as they are
    python -m tests.load.accounts OUT.json load_sd01=SD-01-000 ...    # managers made if missing

`NAME=CODE` creates the manager NAME of unit CODE when it does not exist (a database filled
by tests/bench/generate.py has no accounts); the password is LOAD_PASSWORD (the demo's by
default). Run by tests/load/run.sh with DATABASE_URL set; not collected by pytest.
"""
from __future__ import annotations

import json
import os
import sys

PASSWORD = os.environ.get("LOAD_PASSWORD", "Demo@2026")


def main(out: str, specs: list[str]) -> None:
    from admin.app import create_app
    from network.db import db
    from org.accounts import create_user, issue_token
    from org.models import User

    create_app({"DATABASE_URL": os.environ["DATABASE_URL"], "SECRET_KEY": "load"})
    accounts = []
    with db.connection_context():
        for spec in specs:
            name, _, code = spec.partition("=")
            user = User.get_or_none(User.username == name)
            if user is None:
                if not code:
                    sys.exit(f"account {name} does not exist (give NAME=UNIT_CODE)")
                user = create_user({"username": name, "role": "manager", "organization": code,
                                    "password": PASSWORD}, actor=None)
            accounts.append({"username": name, "unit": user.organization.code,
                             "token": issue_token(user, actor="load")})
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"password": PASSWORD, "accounts": accounts}, fh, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
