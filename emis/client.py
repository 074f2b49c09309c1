"""The EMIS HTTP client: the one boundary where the contract is spoken.

(Interface; the full implementation lands with the connector work.)
"""

from __future__ import annotations

from typing import Any


class EmisClient:
    @classmethod
    def from_connection(cls) -> EmisClient:
        raise NotImplementedError

    def ping(self) -> dict[str, Any]:
        raise NotImplementedError

    def create_web_session(
        self,
        *,
        legal_entity_id: int,
        person_id: int,
        reservation_id: int | None = None,
        hint: dict[str, str | None] | None = None,
    ) -> dict[str, Any]:
        raise NotImplementedError

    def get_person(self, *, person_id: int, legal_entity_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def changes(
        self, *, legal_entity_id: int, cursor: str | None, limit: int = 200
    ) -> dict[str, Any]:
        raise NotImplementedError
