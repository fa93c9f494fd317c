"""Every string the UI shows is in the Chinese catalog and translated (Simplified Chinese is the default)."""

import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
IGNORE = [".venv/*", "var/*", "static/*", "tests/*", "docs/*", "node_modules/*"]


def test_chinese_catalog_is_complete(tmp_path, monkeypatch):
    catalog = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", catalog)
    monkeypatch.chdir(ROOT)
    with override_settings(LOCALE_PATHS=[catalog]):
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=IGNORE, no_obsolete=True,
                     no_location=True, verbosity=0)
    po = catalog / "zh_Hans" / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", str(po)],
                                  capture_output=True, text=True, check=True).stdout
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", "--no-obsolete", str(po)],
                           capture_output=True, text=True, check=True).stdout
    missing = [line for line in untranslated.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    assert not missing, "untranslated strings (run makemessages and translate):\n" + "\n".join(missing)
    assert "msgid" not in fuzzy.replace('msgid ""', ""), "fuzzy translations left:\n" + fuzzy


def test_pages_speak_chinese_by_default(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "登录" in body
