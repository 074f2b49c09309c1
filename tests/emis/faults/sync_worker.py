"""One background sync run in its own process, for test_worker_killed.py.

Usage: ``python tests/emis/faults/sync_worker.py <legal_entity_id> <page_size>
<hold_page> <marker_file>``. The database comes from ``DATABASE_URL``. The
run is the real ``emis.sync.sync_legal_entity``; the only addition is a
pause inside page ``hold_page``'s transaction, after all its writes and
before its commit, announced by writing the page number to the marker file
so the test can SIGKILL the process exactly there.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pms.settings")

import django  # noqa: E402

django.setup()

from emis import apply, sync  # noqa: E402


def main() -> None:
    legal_entity_id, page_size, hold_page = map(int, sys.argv[1:4])
    marker = Path(sys.argv[4])
    sync.PAGE_SIZE = page_size
    original_save = apply._Batch.save
    pages = []

    def save_then_maybe_hold(batch) -> None:
        original_save(batch)
        pages.append(1)
        marker.write_text(str(len(pages)))
        if len(pages) == hold_page:
            time.sleep(120)  # killed here, inside the page's transaction

    apply._Batch.save = save_then_maybe_hold
    sync.sync_legal_entity(legal_entity_id=legal_entity_id)


if __name__ == "__main__":
    main()
