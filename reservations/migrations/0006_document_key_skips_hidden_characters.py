"""The duplicate key leaves out hidden characters of older rows
(``document_key.KEY_SKIPS``). A generated column cannot be altered: it is
dropped and added again, which recomputes it for every row."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reservations", "0005_person_alias_document_key")]

    operations = [
        migrations.RemoveIndex(
            model_name="identitydocument", name="document_duplicate_key"
        ),
        migrations.RemoveField(model_name="identitydocument", name="number_key"),
        migrations.AddField(
            model_name="identitydocument",
            name="number_key",
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Upper(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Replace(django.db.models.functions.text.Concat('series', 'number'), models.Value(' ')), models.Value('\xad')), models.Value('͏')), models.Value('ᅟ')), models.Value('\u180e')), models.Value('\u2060')), models.Value('\u2062')), models.Value('\u2066')), models.Value('\u2067')), models.Value('ㅤ')), models.Value('\ufeff')), models.Value('\u200b')), models.Value('\u200c')), models.Value('\u200d')), models.Value('\u200e')), models.Value('\u200f')), models.Value('\u202a')), models.Value('\u202b')), models.Value('\u202c')), models.Value('\u202d')), models.Value('\u202e'))), output_field=models.CharField(max_length=400)),
        ),
        migrations.AddIndex(
            model_name="identitydocument",
            index=models.Index(
                fields=["number_key", "kind"], name="document_duplicate_key"
            ),
        ),
    ]
