"""Promotion's web room (grades, rounds, review, 公示 and objections): its views, API module
and `add_views(admin)` go here, like admin/evaluation/."""
