"""No personal data in access logs (issue 8, item 12).

The guest search sends the surname typed by the clerk as ``?q=``; neither
gunicorn's access log nor runserver's (``django.server``) may keep it. Nor
may ``./scripts/run.sh`` or the EMIS sandbox print the sandbox's passwords.
"""

import datetime as dt
import importlib
import io
import logging
import re
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from pms.logging import StripQueryStringFilter
from tests.security.compose_web import ROOT, compose_web
from tests.support.sandbox import API_PASSWORD, WEB_PASSWORD, start_sandbox

SURNAME = "Иванов"
SEARCH = "/reservations/1/guests/new/"  # the guest search: ?q=<surname>
SEARCH_LINE = f"GET {SEARCH}?q={SURNAME}&page=2 HTTP/1.1"


def _server_record(request_line: str) -> logging.LogRecord:
    return logging.LogRecord(
        name="django.server",
        level=logging.INFO,
        pathname=__file__,
        lineno=1,
        msg='"%s" %s %s',
        args=(request_line, "200", "1234"),
        exc_info=None,
    )


# --- runserver ---------------------------------------------------------------


def test_the_filter_strips_the_query_from_a_request_line():
    record = _server_record(SEARCH_LINE)

    assert StripQueryStringFilter().filter(record) is True

    assert record.getMessage() == f'"GET {SEARCH} HTTP/1.1" 200 1234'


def test_the_filter_leaves_a_line_without_query_alone():
    record = _server_record(f"GET {SEARCH} HTTP/1.1")
    StripQueryStringFilter().filter(record)
    assert record.args == (f"GET {SEARCH} HTTP/1.1", "200", "1234")


def test_runserver_access_log_has_no_query_string():
    """Django's own request handler logging through the configured LOGGING."""
    from django.core.servers.basehttp import WSGIRequestHandler

    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    handler.requestline = SEARCH_LINE
    handler.client_address = ("127.0.0.1", 50000)
    out = io.StringIO()
    # LOGGING's own handler (pytest may add its own beside it).
    log_handlers = [
        h
        for h in logging.getLogger("django.server").handlers
        if type(h) is logging.StreamHandler
    ]
    assert log_handlers, "django.server has no stream handler"
    previous = [h.setStream(out) for h in log_handlers]
    try:
        handler.log_request(200, 1234)
    finally:
        for h, stream in zip(log_handlers, previous, strict=True):
            h.setStream(stream)

    line = out.getvalue()
    assert f'"GET {SEARCH} HTTP/1.1" 200 1234' in line
    assert SURNAME not in line and "q=" not in line


# --- gunicorn ----------------------------------------------------------------


def _gunicorn_config() -> Config:
    """pms/gunicorn_conf.py loaded as gunicorn loads a config module."""
    module = importlib.import_module("pms.gunicorn_conf")
    cfg = Config()
    for name, value in vars(module).items():
        if name in cfg.settings:
            cfg.set(name, value)
    return cfg


def _search_request() -> tuple:
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{SEARCH}?q={SURNAME}",
        "PATH_INFO": SEARCH,
        "QUERY_STRING": f"q={SURNAME}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": f"https://pms.hotel.example{SEARCH}?q={SURNAME}",
        "HTTP_USER_AGENT": "Firefox",
    }
    resp = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    req = SimpleNamespace(headers=[("HOST", "pms.hotel.example")])
    return resp, req, environ, dt.timedelta(milliseconds=12)


def test_the_gunicorn_access_format_has_no_query_string_or_referrer():
    fmt = _gunicorn_config().access_log_format

    assert "%(U)s" in fmt
    for atom in ("%(r)s", "%(q)s", "%(f)s", "{raw_uri}e", "{query_string}e"):
        assert atom.lower() not in fmt.lower()


def test_gunicorn_writes_the_path_without_the_query(tmp_path):
    cfg = _gunicorn_config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    logger = Logger(cfg)
    try:
        logger.access(*_search_request())
    finally:
        for handler in logger.access_log.handlers:
            handler.close()

    line = (tmp_path / "access.log").read_text()
    assert f'"GET {SEARCH} HTTP/1.1" 200 1234' in line
    assert SURNAME not in line and "q=" not in line


def test_gunicorn_error_log_strips_the_query_too():
    cfg = _gunicorn_config()
    cfg.on_starting(None)
    record = logging.LogRecord(
        name="gunicorn.error",
        level=logging.ERROR,
        pathname=__file__,
        lineno=1,
        msg="Error handling request %s",
        args=(f"{SEARCH}?q={SURNAME}",),
        exc_info=None,
    )
    assert logging.getLogger("gunicorn.error").filter(record)
    assert record.getMessage() == f"Error handling request {SEARCH}"


def test_the_compose_web_access_log_has_no_surname(tmp_path):
    with compose_web(tmp_path) as web:
        web.get(f"{SEARCH}?q={SURNAME}")
        web.get("/healthz?q=secret-query")

    log = web.log()
    assert re.search(rf'"GET {re.escape(SEARCH)} HTTP/1.1" 301', log), log
    assert '"GET /healthz HTTP/1.1" 200' in log, log
    assert "q=" not in log and "secret-query" not in log
    assert "%D0%98" not in log.upper() and SURNAME not in log


# --- no passwords on stdout --------------------------------------------------


def test_the_sandbox_prints_no_password_at_start(tmp_path):
    process = start_sandbox(tmp_path)
    try:
        banner = "\n".join(process.banner)
    finally:
        process.stop()
    assert API_PASSWORD not in banner and WEB_PASSWORD not in banner
    assert "docs/sandbox.md" in banner


def test_run_sh_banner_points_to_the_docs_instead_of_passwords():
    script = (ROOT / "scripts" / "run.sh").read_text()
    banner = script.split("<<TXT", 1)[1].split("\nTXT", 1)[0]

    assert "docs/sandbox.md" in banner
    for secret in (API_PASSWORD, WEB_PASSWORD, "api_password", "web_password"):
        assert secret not in script
