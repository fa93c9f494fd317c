from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL; a plain index on the embedded default (SQLite has no such thing)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    # Built without locking the table against writes (a province's registry stays open while it builds).
    atomic = False

    dependencies = [
        ("registry", "0013_api_tokens"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="organization",
            index=models.Index(
                fields=["tier", "category", "name", "region"], name="org_tier_category_name_idx",
                opclasses=["varchar_ops", "int8_ops", "varchar_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
