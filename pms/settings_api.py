"""The REST API's settings (DRF and drf-spectacular), none read from the
environment: ``pms.settings`` imports them. Apart so the settings module
stays a readable size; the conventions they name are in docs/api.md."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "pms.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["pms.roles.IsFrontDesk"],
    "DEFAULT_SCHEMA_CLASS": "pms.openapi.AutoSchema",
    # At most 200 rows per answer whatever ?limit= says (pms/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "pms.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "pms.api.exception_handler",
    # JSON in and out (docs/api.md), nesting limited: "[[[[…" is a 400.
    "DEFAULT_PARSER_CLASSES": ["pms.parsers.DepthLimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "pms.negotiation.JsonNegotiation",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PMS EMIS module API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,  # request rules apart (pms/openapi.py)
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1}},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Never contact swagger.io's public validator: hotel networks are offline.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [  # errors, ID bounds and links (pms/openapi.py)
        "drf_spectacular.hooks.postprocess_schema_enums",
        *("pms.openapi.document_errors", "pms.openapi.add_links"),
    ],
}
