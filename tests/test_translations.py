"""Every string the UI shows is in the Chinese catalog and translated (Simplified Chinese is the default)."""

import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["config", "registry", "filings", "grants", "partybuilding", "reporting", "templates", "locale"]


def test_chinese_catalog_is_complete(tmp_path, monkeypatch):
    # makemessages writes into any locale/ folder it finds near the sources, so it runs on a copy.
    copy = tmp_path / "src"
    for name in SOURCES:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, no_location=True, verbosity=0)
    po = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
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
