from django.db import migrations


def seed(apps, schema_editor):
    from filings.presets import seed_policies

    seed_policies(apps.get_model("filings", "RegistrationPolicy"))


class Migration(migrations.Migration):
    dependencies = [("filings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
