"""runserver with chunked request bodies (``pms/devserver``); otherwise
staticfiles' runserver, unchanged."""

from django.contrib.staticfiles.management.commands.runserver import (
    Command as StaticfilesRunserver,
)

from pms.devserver.chunked import WSGIServer


class Command(StaticfilesRunserver):
    server_cls = WSGIServer
