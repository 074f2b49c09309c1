"""Shared REST API pieces: the error shape."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler; validation errors keep DRF's per-field shape
    (``{"field": ["message"]}``), everything else gets ``{"detail"}``."""
    return drf_exception_handler(exc, context)
