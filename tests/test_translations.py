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


# ------------------------------------------------------------------------------------------------ glossary

import io  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402

CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GLOSSARY = ROOT / "docs" / "glossary.md"
CJK = re.compile(r"[\u4e00-\u9fff]")


def glossary():
    """Rows of docs/glossary.md's tables: (English term, [Chinese terms], [forbidden variants])."""
    rows = []
    for line in GLOSSARY.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and CJK.search(cells[1]) and not set(cells[0]) <= set("-"):
            split = lambda text: [term.strip() for term in text.split(",") if term.strip()]  # noqa: E731
            rows.append((cells[0], split(cells[1]), split(cells[2])))
    return rows


def catalog():
    """(msgid, [translations]) of every entry of the Chinese catalogue (plural forms included)."""
    entries, msgid, strings, current = [], None, [], None

    def unquote(text):
        return text[1:-1].encode("raw_unicode_escape").decode("unicode_escape") if text.startswith('"') else ""

    def flush():
        if msgid:
            entries.append((msgid, strings))

    for line in CATALOG.read_text().splitlines():
        if line.startswith("msgid "):
            flush()
            msgid, strings, current = unquote(line[6:]), [], "id"
        elif line.startswith("msgid_plural"):
            current = "plural"
        elif line.startswith("msgstr"):
            strings.append(unquote(line.split(" ", 1)[1]))
            current = "str"
        elif line.startswith('"') and current == "id":
            msgid += unquote(line)
        elif line.startswith('"') and current == "str":
            strings[-1] += unquote(line)
    flush()
    return entries


# Variants wrong everywhere (社区登记); a variant that is another row's term (年度工作报告) is wrong only in place
# of this row's term, which the catalogue check sees through the English msgid.
FORBIDDEN = sorted({variant for _english, _chinese, variants in glossary() for variant in variants}
                   - {term for _english, chinese, _variants in glossary() for term in chinese})


def test_glossary_is_read():
    terms = {english for english, _chinese, _variants in glossary()}
    assert {"Community-guided", "Annual report", "Yearly report", "Annual inspection"} <= terms
    assert "社区登记" in FORBIDDEN


def test_catalog_uses_the_glossary_terms():
    wrong = []
    for msgid, translations in catalog():
        for english, chinese, variants in glossary():
            for translation in translations:
                about = english.lower() in msgid.lower()
                if about and not any(term in translation for term in chinese):
                    wrong.append(f"{msgid!r} -> {translation!r}: should say {' / '.join(chinese)}")
                wrong.extend(f"{msgid!r} -> {translation!r}: {variant} is not a glossary term"
                             for variant in variants if variant in translation and (about or variant in FORBIDDEN))
    assert not wrong, "translations off the glossary (docs/glossary.md):\n" + "\n".join(sorted(set(wrong)))


def test_literal_chinese_in_sources_uses_the_glossary():
    found = []
    for folder in ["config", "registry", "filings", "grants", "partybuilding", "reporting", "templates"]:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
                continue
            text = path.read_text(errors="ignore")
            found.extend(f"{path.relative_to(ROOT)}: {variant}" for variant in FORBIDDEN if variant in text)
    assert not found, "forbidden variants (docs/glossary.md) in sources:\n" + "\n".join(found)


def translated_english():
    """English messages of two words or more that have a translation: finding one in Chinese output is a leak."""
    return {msgid for msgid, translations in catalog()
            if " " in msgid.strip() and "%" not in msgid and "{" not in msgid and any(translations)
            and len(msgid) < 80}


def choice_codes():
    from django.apps import apps

    codes = set()
    for model in apps.get_models():
        if model._meta.app_label not in ("registry", "filings", "grants", "partybuilding", "reporting"):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z]+)+|[a-z]{4,}", value):
                    codes.add(value)
    return codes


def check_output(name, texts, leaks, codes):
    problems = [f"{name}: {variant}" for variant in FORBIDDEN for text in texts if variant in text]
    problems += [f"{name}: untranslated {text!r}" for text in texts if text.strip() in leaks]
    problems += [f"{name}: code {text!r} instead of its label" for text in texts if text.strip() in codes]
    return problems


@pytest.fixture
def approved_filing(world, cast, colleague_a, ready_case):
    from filings.services import transition
    from tests.factories import org_payload

    case = transition(ready_case(cast.street_a, "filing", org_payload(world.community_a1)), "submit", cast.street_a)
    return transition(case, "approve", colleague_a)


@pytest.mark.django_db
def test_xlsx_exports_and_pdfs_speak_the_glossary(approved_filing, cast, client_for):
    from openpyxl import load_workbook

    from filings.pdf import certificate_pdf
    from tests.factories import OrganizationFactory

    OrganizationFactory(name="葛岭村老年协会", region=approved_filing.region, tier="community",
                        filing_number=None, ledger_number="TZ-GLOSSARY-1")
    leaks, codes, problems = translated_english(), choice_codes(), []
    street, reviewer = client_for(cast.street_a), client_for(cast.reviewer)
    for client, url in [(street, "/organizations/"), (street, "/cases/"), (street, "/activities/"),
                        (reviewer, "/audit/"), (reviewer, "/dashboard/")]:
        response = client.get(url, {"export": "xlsx"})
        assert response.status_code == 200, url
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        for sheet in workbook.worksheets:
            cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
            headers = [str(value) for value in next(sheet.iter_rows(values_only=True, max_row=1))]
            assert CJK.search(sheet.title), f"{url}: sheet named {sheet.title!r}"
            problems += [f"{url}: header {header!r}" for header in headers if not CJK.search(header)]
            problems += check_output(f"{url} (xlsx)", cells, leaks, codes)
    pdfs = {"certificate": certificate_pdf(approved_filing.certificates.get()),
            "dashboard": reviewer.get("/dashboard/", {"export": "pdf"}).content}
    for name, content in pdfs.items():
        text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
        assert CJK.search(text), name
        problems += check_output(f"{name} (pdf)", [line for line in text.splitlines() if line.strip()], leaks, codes)
    assert not problems, "exports that are not in Chinese or off the glossary:\n" + "\n".join(problems)
