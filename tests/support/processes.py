"""Child processes the tests start (the sandbox, gunicorn, a Celery worker)."""

from __future__ import annotations

import subprocess


def stop_process(popen: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    if popen.poll() is not None:
        return
    popen.terminate()
    try:
        popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.wait(timeout=5)
