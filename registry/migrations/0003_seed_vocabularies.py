from django.db import migrations


def seed(apps, schema_editor):
    from registry.vocabularies import seed_terms

    seed_terms(apps.get_model("registry", "Term"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_organizations")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
