from django.db import migrations
from django.db.models import F


def keep_the_organizations_limit(apps, schema_editor):
    """Annual reports still in draft carry the organization's deadline in due_on: keep it in filing_due_on, which
    submitting leaves alone (submitted ones already had it replaced by the review's deadline)."""
    Case = apps.get_model("filings", "Case")
    Case.objects.filter(kind="annual_report", state="draft", filing_due_on__isnull=True).update(
        filing_due_on=F("due_on"))


class Migration(migrations.Migration):

    dependencies = [
        ("filings", "0007_encrypt_payload_id_numbers"),
    ]

    operations = [
        migrations.RunPython(keep_the_organizations_limit, migrations.RunPython.noop),
    ]
