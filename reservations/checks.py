"""Document checks shown on the guest card and as a stay's ``warnings``.

(Implemented in the document-checks work; this is the interface.)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StayWarning:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def stay_warnings(stay) -> list[StayWarning]:
    """Warnings for one stay. Reads ``stay.person`` with its ``documents``,
    ``visas`` and ``migration_card`` — prefetch them (see
    ``reservations.selectors``) and this makes no query."""
    return []
