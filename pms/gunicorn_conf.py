"""gunicorn settings of the production image (Dockerfile, docker-compose.yml):

    gunicorn -c python:pms.gunicorn_conf pms.wsgi:application

Command-line options still win over these, e.g. ``--bind`` or ``--workers``.

The access log carries no query string and no referrer: the guest search
sends surnames as ``?q=``, and the referrer repeats the previous page's query.
``%(U)s`` is the path alone, where gunicorn's default ``%(r)s`` is the whole
request line.
"""

bind = "0.0.0.0:8000"  # noqa: S104 - inside the container, behind the proxy
workers = 3
timeout = 30
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'


def on_starting(server) -> None:
    """gunicorn's own error log names the request URI when a request fails
    outside Django: strip its query string too (workers inherit the filter)."""
    import logging

    from pms.logging import StripQueryStringFilter

    logging.getLogger("gunicorn.error").addFilter(StripQueryStringFilter())
