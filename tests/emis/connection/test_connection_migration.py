"""The EMIS connection moved from the retired ``emis_connector`` app into
``emis`` (emis/migrations/0003): a database holding a connection keeps it,
encrypted passwords included. Runs on SQLite and PostgreSQL alike."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState

from emis.models import EmisConnection
from integrations.secrets import EncryptedTextField, decrypt, raw

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("emis", "0002_sync_periodic_task")]
OLD_LABEL = "emis_connector"
OLD_TABLE = "emis_connector_emisconnection"
NEW_TABLE = "emis_emisconnection"

# integrations/connectors/emis/migrations/0001_initial.py as released.
OLD_INITIAL = migrations.CreateModel(
    name="EmisConnection",
    fields=[
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
        ("base_url", models.URLField(blank=True)),
        ("web_login", models.CharField(blank=True, max_length=200)),
        ("web_password", EncryptedTextField(blank=True)),
        ("api_login", models.CharField(blank=True, max_length=200)),
        ("api_password", EncryptedTextField(blank=True)),
        ("is_active", models.BooleanField(default=False)),
        ("updated_at", models.DateTimeField(auto_now=True)),
    ],
)
VALUES = {
    "base_url": "https://emis.test",
    "web_login": "hotel-web",
    "web_password": "web-secret-1",
    "api_login": "hotel-api",
    "api_password": "api-secret-1",
    "is_active": True,
}


def _migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.fixture
def before_the_move():
    """emis back at 0002 and the old app's table as its migration made it;
    every migration applied again afterwards."""
    _migrate(BEFORE)
    empty, old = ProjectState(), ProjectState()
    OLD_INITIAL.state_forwards(OLD_LABEL, old)
    with connection.schema_editor() as editor:
        editor.execute(editor.sql_delete_table % {"table": editor.quote_name(OLD_TABLE)})
        OLD_INITIAL.database_forwards(OLD_LABEL, editor, empty, old)
    recorder = MigrationRecorder(connection)
    recorder.record_applied(OLD_LABEL, "0001_initial")
    yield old.apps.get_model(OLD_LABEL, "EmisConnection")
    _migrate()
    recorder.migration_qs.filter(app=OLD_LABEL).delete()


def test_migrating_back_gives_the_table_its_old_name():
    EmisConnection.objects.create(pk=1, **VALUES)
    try:
        _migrate(BEFORE)
        assert OLD_TABLE in _tables() and NEW_TABLE not in _tables()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT api_password FROM {OLD_TABLE}")  # noqa: S608
            (token,) = cursor.fetchone()
        assert decrypt(token) == "api-secret-1"
    finally:
        _migrate()
    assert EmisConnection.objects.get(pk=1).api_password == "api-secret-1"


def test_a_stored_connection_and_its_passwords_survive_the_move(before_the_move):
    OldConnection = before_the_move
    OldConnection.objects.create(pk=1, **VALUES)
    stored = OldConnection.objects.annotate(
        token=raw("web_password"), api_token=raw("api_password")
    ).get()
    assert stored.token != "web-secret-1" and decrypt(stored.token) == "web-secret-1"
    assert decrypt(stored.api_token) == "api-secret-1"
    ContentType.objects.filter(model="emisconnection").delete()
    old_type = ContentType.objects.create(app_label=OLD_LABEL, model="emisconnection")

    _migrate()

    assert NEW_TABLE in _tables() and OLD_TABLE not in _tables()
    conn = EmisConnection.objects.get()
    assert {name: getattr(conn, name) for name in VALUES} == VALUES
    assert conn.is_complete
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(EmisConnection).pk == old_type.pk
    # The old app's history stays recorded (the previous release needs it).
    assert MigrationRecorder(connection).migration_qs.filter(app=OLD_LABEL).exists()
