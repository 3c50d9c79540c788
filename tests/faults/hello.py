"""A one-line WSGI app for tests/faults/test_keepalive.py: the server's settings, not the
portal, are under test there."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
