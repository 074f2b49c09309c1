"""What every handler needs: start-up config, public base URL, a DB connection."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from emis_sandbox.config import Config


@dataclass(frozen=True)
class Context:
    config: Config
    base_url: str
    conn: sqlite3.Connection
