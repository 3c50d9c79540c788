"""gunicorn's settings for the portal, read from the working directory (`gunicorn wsgi:app`
in the repository root, `docs/deploy/portal.service`, `tests/load/run.sh`); options on the
command line override them.

keepalive: gunicorn closes a kept-alive connection after 2 s idle by default, and a request
that arrives as it closes is lost: the client sees "connection reset" or "closed without
response" with no line in any log (a load run of 50 users pausing 1–3 s between clicks lost
4 of 2,623 requests so; tests/faults/test_keepalive.py). Idle connections cost the threaded
worker no thread, only a slot of `worker_connections` (1000), so keep them longer than any
pause of a person or of nginx's upstream keep-alive (60 s by default).
"""
workers = 4
threads = 4  # an upload's check and an import run in a background thread of the worker
timeout = 120
graceful_timeout = 60
keepalive = 75
