"""The EMIS connection moves here from the retired ``emis_connector`` app
(``integrations/connectors/emis/``), its row and encrypted passwords kept.

The model is created in the migration state only. In the database the old
table, if there is one, is renamed: the row is not copied, and the
ciphertext does not depend on the table, so the passwords read back as they
were. A database that never had the old app (a fresh install) gets the
table created. Nothing here depends on the old app, so it is no longer
installed; its applied migration stays recorded in ``django_migrations``,
and going back (``migrate emis 0002``) gives the table its old name again,
as the previous release expects.
"""

import integrations.secrets
from django.db import migrations, models

OLD_LABEL = "emis_connector"
OLD_TABLE = "emis_connector_emisconnection"


def take_over_table(apps, schema_editor):
    model = apps.get_model("emis", "EmisConnection")
    if OLD_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.alter_db_table(model, OLD_TABLE, model._meta.db_table)
        _move_content_type(apps, schema_editor, OLD_LABEL, "emis")
    else:
        schema_editor.create_model(model)


def give_table_back(apps, schema_editor):
    model = apps.get_model("emis", "EmisConnection")
    schema_editor.alter_db_table(model, model._meta.db_table, OLD_TABLE)
    _move_content_type(apps, schema_editor, "emis", OLD_LABEL)


def _move_content_type(apps, schema_editor, old_label, new_label):
    """The content type (and so its permissions) follows the model, unless
    the new one exists already."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label=new_label, model="emisconnection").exists():
        content_types.filter(app_label=old_label, model="emisconnection").update(
            app_label=new_label
        )


class Migration(migrations.Migration):

    dependencies = [
        ("emis", "0002_sync_periodic_task"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EmisConnection",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("base_url", models.URLField(blank=True, verbose_name="EMIS address")),
                        ("web_login", models.CharField(blank=True, max_length=200, verbose_name="web login")),
                        ("web_password", integrations.secrets.EncryptedTextField(blank=True, verbose_name="web password")),
                        ("api_login", models.CharField(blank=True, max_length=200, verbose_name="API login")),
                        ("api_password", integrations.secrets.EncryptedTextField(blank=True, verbose_name="API password")),
                        ("is_active", models.BooleanField(default=False, verbose_name="active")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "EMIS Service connection",
                        "verbose_name_plural": "EMIS Service connection",
                    },
                ),
            ],
        ),
        migrations.RunPython(take_over_table, give_table_back),
    ]
