"""Training's web room (sessions, calendar, enrolment, attendance, coverage, certificates):
its views, API module and `add_views(admin)` go here, like admin/evaluation/."""
