"""Content negotiation for the API (its own module: DRF reads the setting
while ``rest_framework.views`` is imported, before ``pms.api`` can be)."""

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class JsonNegotiation(DefaultContentNegotiation):
    """An ``Accept`` no renderer serves gets the view's first one (JSON for
    the API) rather than a 406: a browser's ``text/html`` sees the JSON, as
    there is no HTML API."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type
