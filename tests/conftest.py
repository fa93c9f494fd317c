"""The cast every test can use: two streets of one district, their people, a reviewer, a leader, an outsider.

    浙江省 330000 ─ 杭州市 330100 ─┬─ 西湖区 330106 ─┬─ 北山街道 330106002 (street A) ─ 2 communities
                                    │                  └─ 灵隐街道 330106003 (street B) ─ 1 community
                                    └─ 上城区 330102 ─── 湖滨街道 330102001 (the outsider's street)
"""

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from registry.choices import RegionLevel, Role
from registry.models import Region, User
from tests import parallel
from tests.factories import PASSWORD, PDF_BYTES, UserFactory, community, region


@dataclass
class World:
    province: Region
    city: Region
    county: Region
    street_a: Region
    street_b: Region
    community_a1: Region
    community_a2: Region
    community_b1: Region
    other_county: Region
    other_street: Region


@dataclass
class Cast:
    street_a: User
    street_b: User
    community_a: User
    reviewer: User
    leader: User
    expert: User
    outsider: User
    admin: User

    def items(self):
        return self.__dict__.items()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    # `pytest -n N`: each worker's own Redis database, the serial files on one worker (tests/parallel.py).
    config.pluginmanager.register(parallel, "shequ-parallel")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the suite; the hasher itself is not under test.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process unless a test asks for the real worker on Redis (``real_worker`` fixture)."""
    from config.celery import app

    eager = "real_worker" not in request.fixturenames
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def real_worker(transactional_db, settings):
    """A Celery worker process on the Redis broker, using the test database; stopped after the test."""
    import os
    import subprocess
    import sys
    import time

    from django.db import connection

    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and Redis (make test sets DATABASE_URL and REDIS_URL)")
    db = connection.settings_dict
    env = {**os.environ, "SHEQU_ENV": "test", "REDIS_URL": settings.REDIS_URL,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"}
    root = str(settings.BASE_DIR)
    subprocess.run([sys.executable, "-m", "celery", "-A", "config", "purge", "-f"], cwd=root, env=env,
                   capture_output=True, timeout=60, check=False)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
                               "--loglevel", "warning", "--without-gossip", "--without-mingle"],
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def build_world() -> World:
    """The regions of the module docstring (and the seeded terms and policies), in the database."""
    from filings.models import RegistrationPolicy
    from filings.presets import seed_policies
    from registry.models import Term
    from registry.vocabularies import seed_terms

    seed_terms(Term)
    seed_policies(RegistrationPolicy)
    province = region("330000", "浙江省", RegionLevel.PROVINCE)
    city = region("330100", "杭州市", RegionLevel.CITY, province)
    county = region("330106", "西湖区", RegionLevel.COUNTY, city)
    street_a = region("330106002", "北山街道", RegionLevel.STREET, county)
    street_b = region("330106003", "灵隐街道", RegionLevel.STREET, county)
    other_county = region("330102", "上城区", RegionLevel.COUNTY, city)
    other_street = region("330102001", "湖滨街道", RegionLevel.STREET, other_county)
    return World(
        province=province, city=city, county=county, street_a=street_a, street_b=street_b,
        community_a1=community(street_a, 1, "宝石社区", population=5200),
        community_a2=community(street_a, 201, "葛岭村", population=1800),
        community_b1=community(street_b, 1, "玉泉社区", population=4300),
        other_county=other_county, other_street=other_street,
    )


def build_cast(world: World) -> Cast:
    return Cast(
        street_a=UserFactory(username="street_a", first_name="北山街道工作人员", role=Role.STREET_STAFF,
                             regions=[world.street_a]),
        street_b=UserFactory(username="street_b", role=Role.STREET_STAFF, regions=[world.street_b]),
        community_a=UserFactory(username="community_a", role=Role.COMMUNITY_WORKER, regions=[world.community_a1]),
        reviewer=UserFactory(username="reviewer", role=Role.DISTRICT_REVIEWER, regions=[world.county]),
        leader=UserFactory(username="leader", role=Role.LEADER, regions=[world.county]),
        expert=UserFactory(username="expert", role=Role.GRANT_EXPERT),
        outsider=UserFactory(username="outsider", role=Role.STREET_STAFF, regions=[world.other_street]),
        admin=UserFactory(username="admin", role=Role.ADMIN, is_superuser=True, is_staff=True),
    )


@contextmanager
def shared_rows(django_db_blocker):
    """Rows made once for many tests (as Django's ``setUpTestData``), inside this block: it opens a transaction that
    stays open while the tests run and is rolled back at the end. Each test's own transaction is a savepoint inside
    it, so what a test writes still goes away after it. For tests that only read the shared rows and are not
    transactional (a flush would remove the rows under the other tests)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(db) -> World:
    # Seeded by data migrations, but a transactional test before this one may have flushed them.
    return build_world()


@pytest.fixture
def cast(world) -> Cast:
    return build_cast(world)


@pytest.fixture
def client_for():
    """A logged-in test client for a user (Chinese UI, as users get it by default)."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def password():
    return PASSWORD


# ------------------------------------------------------------------------------------------------ cases


@pytest.fixture
def colleague_a(world):
    """A second staff member of street A, who may decide what street_a submitted."""
    from registry.choices import Role

    return UserFactory(username="street_a2", first_name="北山街道审核人", role=Role.STREET_STAFF,
                       regions=[world.street_a])


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def ready_case():
    """A case of the given kind with every required document uploaded."""

    from filings.services import add_document, create_case, required_documents
    from filings.workflows import WORKFLOWS

    def make(user, kind, payload, organization=None):
        case = create_case(user, kind, payload, organization=organization)

        for doc_kind in required_documents(case) or WORKFLOWS[kind].required_documents:
            add_document(user, case, pdf(f"{doc_kind}.pdf"), doc_kind)
        return case

    return make


# ------------------------------------------------------------------------------------------------ browser
# Playwright's Python driver steering Debian's Chromium, headless, against the live server. Session-scoped and
# defined once here, so browser tests in any folder share one Playwright instance.



CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium tries to reach Google's services, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def login(page, password):
    def as_user(user):
        page.goto(f"{page.base_url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return as_user


@pytest.fixture
def browser_as(browser, live_server, password):
    """A logged-in page for a user, each in a context of its own (separate cookies)."""
    contexts = []

    def open_as(user):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()
