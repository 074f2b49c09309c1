"""Files only their owner may read: ``var/``, the embedded database, the key file.

The embedded SQLite database holds passport data and ``var/encryption.key``
decrypts the EMIS passwords, so neither may be readable by another account on
the machine, whatever the umask. Existing files and directories created with
a wider mode are narrowed, so an older checkout is fixed on its next start.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# SQLite's own files next to the database (WAL mode, rollback journal).
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    narrow(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 unless it exists; narrow it if it does."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    narrow(path, PRIVATE_FILE)
    return path


def private_sqlite(path: Path) -> Path:
    """The database file before SQLite opens it: SQLite then gives the -wal and
    -shm files it creates the same mode."""
    private_file(path)
    for suffix in SQLITE_SIDECARS:
        narrow(path.with_name(path.name + suffix), PRIVATE_FILE)
    return path


def narrow(path: Path, allowed: int) -> None:
    """Drop every permission bit outside ``allowed`` (a missing file is fine;
    a file owned by someone else is left for its owner)."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~allowed:
            os.chmod(path, mode & allowed)
