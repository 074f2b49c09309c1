"""The fixed vocabularies of personal_data's models: which page or answer
showed a person's data, and which rule erased it (imported by ``models`` and
re-exported there)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    GUEST_CARD = "guest_card", _("guest card")
    PERSON_API = "person_api", _("person API read")
    HISTORY = "history", _("change history page")
    SEARCH = "search", _("search results")
    MERGE = "merge", _("merge confirmation")
    EXPORT = "export", _("export for the data subject")
    DOCUMENT_NUMBER_REVEALED = (
        "document_number_revealed",
        _("full document number revealed"),
    )
    ACCESS_LOG_EXPORT = "access_log_export", _("access log exported (CSV)")
    CONFLICTS = "conflicts", _("EMIS conflicts read (API)")
    DUPLICATES = "duplicates", _("possible duplicates read (API)")
    GUEST_LIST = "guest_list", _("reservation's guest list")
    ARRIVALS_BOARD = "arrivals_board", _("arrivals board")
    ARRIVALS_API = "arrivals_api", _("arrivals read (API)")
    NAME_POLICY_PREVIEW = "name_policy_preview", _("name policy preview (admin)")
    ADMIN_LIST = "admin_list", _("list in the Django admin")
    ADMIN_PAGE = "admin_page", _("page in the Django admin")
    ERASURE = "erasure", _("erasure confirmation")


class ErasureRule(models.TextChoices):
    RETENTION = "retention", _("Retention period of the legal entity")
    REQUEST = "request", _("Request")
