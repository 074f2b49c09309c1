"""README's "how to run" stays true to scripts/run.sh (issue 12: a new user
did not know how to change the ports, how to stop, or that the demo already
connects EMIS)."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from emis.models import EmisConnection

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
RUN = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "default"), [("PORT", "8000"), ("SANDBOX_PORT", "8001")])
def test_the_ports_readme_names_are_the_ones_run_sh_reads(name, default):
    assert f"{name}=${{{name}:-{default}}}" in RUN
    assert re.search(rf"`{name}` \([^)]*default {default}\)", README)


def test_readme_says_how_to_stop_as_run_sh_does_it():
    assert "trap 'kill $SANDBOX_PID" in RUN and "EXIT" in RUN
    assert "Ctrl-C in that terminal stops both" in README


@pytest.mark.django_db
def test_the_demo_connects_emis_as_readme_says():
    assert "manage.py demo_connect_emis --base-url" in RUN
    assert "The demo already connects EMIS" in README
    call_command("demo_connect_emis", "--base-url", "http://127.0.0.1:8081")
    connection = EmisConnection.load()
    assert connection.is_active and connection.is_complete
    assert connection.base_url == "http://127.0.0.1:8081"
