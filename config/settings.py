"""Shequ settings: one module, every environment variable read once through a typed helper (config/env.py).

With no environment at all the portal runs in the embedded mode: SQLite in var/, Celery tasks executed
in-process. DATABASE_URL and REDIS_URL switch to PostgreSQL, a Redis broker and a real worker.
"""

from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.env import (
    env_bool,
    env_database,
    env_database_list,
    env_fernet_keys,
    env_float,
    env_int,
    env_list,
    env_redis,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

SHEQU_ENV = env_str(
    "SHEQU_ENV",
    "development",
    "development, production or test; production enforces the checks below",
    choices=("development", "production", "test"),
)
PRODUCTION = SHEQU_ENV == "production"

SECRET_KEY = env_str("SECRET_KEY", None, "Django secret key; required in production")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when SHEQU_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

DEBUG = env_bool("DEBUG", not PRODUCTION and SHEQU_ENV != "test", "show tracebacks; never in production")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on when SHEQU_ENV=production")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"],
    "comma-separated host names the portal answers to",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", [], "comma-separated origins, e.g. https://shequ.example.gov.cn"
)

DATA_DIR = Path(env_str("SHEQU_DATA_DIR", str(BASE_DIR / "var"), "where the SQLite file, uploads and reports live"))
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        str(DATA_DIR / "db.sqlite3"),
        "postgres://user:password@host:5432/dbname; unset = SQLite",
    )
}
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL when SHEQU_ENV=production")

# Read replicas (streaming standbys of the primary): dashboards, yearly reports, exports and list counts read
# from one when it is healthy; everything else, and a user's reads just after they wrote, stays on the primary.
# config/replicas.py routes; docs/deployment.md "Read replicas".
for _number, _replica in enumerate(
    env_database_list(
        "DATABASE_REPLICA_URLS", "comma-separated PostgreSQL URLs of read replicas (hot standbys); unset = none"
    ),
    start=1,
):
    DATABASES[f"replica_{_number}"] = {
        **_replica,
        "TEST": {"MIRROR": "default"},
        "OPTIONS": {**_replica.get("OPTIONS", {}), "connect_timeout": 3},
    }
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_float(
    "REPLICA_MAX_LAG_SECONDS", 5.0, "a replica further behind the primary than this is not read from", minimum=0
)
REPLICA_STICKY_SECONDS = env_int(
    "REPLICA_STICKY_SECONDS", 30, "after a user's write, their reads stay on the primary this long", minimum=0
)
REPLICA_CHECK_SECONDS = 5.0  # how long a replica's health (reachable, streaming, lag) is trusted per process

REDIS_URL = env_redis("REDIS_URL", "redis://host:6379/0; unset = tasks run in-process, cache in memory")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "django_htmx",
    "csp",
    "import_export",
    "registry",
    "filings",
    "grants",
    "partybuilding",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "registry.middleware.RefreshingSessionMiddleware",  # Django's, saving an unchanged session once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "registry.two_factor.SecondFactorMiddleware",
    "registry.middleware.OrganizationFence",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "registry.audit.AuditMiddleware",
    "config.replicas.ReplicaMiddleware",
    "axes.middleware.AxesMiddleware",
    "registry.params.QueryGuardMiddleware",  # second line behind typed parameters: no control characters
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registry.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "registry.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins before checking the password
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "registry.passwords.ComplexityValidator"},
]

# Fernet keys for ID numbers at rest (comma-separated; the first encrypts). Unset: derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env_fernet_keys(
    "FIELD_ENCRYPTION_KEY", "Fernet key(s) for ID numbers at rest; first one encrypts"
)
if PRODUCTION and not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY must be set when SHEQU_ENV=production "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')"
    )

# Lockout after repeated failed logins, per user name and address (django-axes).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, "failed logins before a lockout", minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, "how long a lockout lasts", minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address (audit trail, lockouts) is read from X-Forwarded-For only when the request comes from one of
# these proxies (addresses or networks); from anyone else the header is the client's own claim and is ignored.
TRUSTED_PROXIES = env_list(
    "TRUSTED_PROXIES",
    [],
    "comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is "
    "believed, e.g. 127.0.0.1,10.0.0.0/24; unset = none, the connecting address is the client's",
)
for _proxy in TRUSTED_PROXIES:
    try:
        ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network") from None
AXES_CLIENT_IP_CALLABLE = "registry.audit.client_ip"

# Second factor (TOTP) for district reviewers and administrators.
REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", PRODUCTION, "TOTP second factor for reviewers and administrators")
LOGIN_URL_TWO_FACTOR = "/accounts/two-factor/"
# API tokens (registry/tokens.py): issued past the second factor where the role needs one, stored as a digest.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30, "days an API token stays valid after it is issued", minimum=1)
OTP_TOTP_ISSUER = "Shequ"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user row; anonymous visitors get nothing

# Sign-in through an external OpenID Connect provider (the province's unified government identity, 统一身份认证),
# authorization-code flow (mozilla-django-oidc, registry/oidc.py). Off unless OIDC_CLIENT_ID is set; then every
# endpoint below is required. The provider only proves who someone is: the account (role, regions) must already
# exist in the portal under the user name the OIDC_USERNAME_CLAIM claim carries; none is created on the fly, and
# roles that need the second factor still give it here.
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", None, "client id registered at the OpenID Connect provider; unset = off")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", None, "client secret at the OpenID Connect provider")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_URL", None, "the provider's authorization endpoint")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_URL", None, "the provider's token endpoint")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_URL", None, "the provider's userinfo endpoint")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_URL", None, "the provider's JWKS (signing keys) endpoint")
OIDC_USERNAME_CLAIM = env_str(
    "OIDC_USERNAME_CLAIM", "preferred_username", "the claim that carries the portal user name"
)
OIDC_LOGIN_LABEL = env_str("OIDC_LOGIN_LABEL", "统一身份认证登录", "text of the provider's button on the login page")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    _missing = [
        name
        for name, value in (
            ("OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("OIDC_AUTHORIZATION_URL", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("OIDC_TOKEN_URL", OIDC_OP_TOKEN_ENDPOINT),
            ("OIDC_USERINFO_URL", OIDC_OP_USER_ENDPOINT),
            ("OIDC_JWKS_URL", OIDC_OP_JWKS_ENDPOINT),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_CLIENT_ID is set, so {', '.join(_missing)} must be set too")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid profile"
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10  # seconds for each call to the provider; a provider that hangs must not hang a web process
AUTHENTICATION_BACKENDS.insert(2, "registry.oidc.ProvinceIdentityBackend")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai", "the bureau's time zone")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles"), "where collectstatic puts the static files"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads live outside the web root and are served only through views that apply the access rule.
MEDIA_ROOT = DATA_DIR / "media"
EXPORT_SYNC_LIMIT = env_int("EXPORT_SYNC_LIMIT", 5000, "rows above which an export runs as a tracked job", minimum=1)
ZOMBIE_INACTIVE_MONTHS = env_int(
    "ZOMBIE_INACTIVE_MONTHS",
    24,
    "months without annual report or activity before an organization is a zombie candidate",
    minimum=1,
)
# Notifications are also mailed (after the commit, by a Celery task) when an SMTP server is configured.
EMAIL_HOST = env_str("EMAIL_HOST", "", "SMTP server for notification e-mails; empty = in-app notifications only")
EMAIL_PORT = env_int("EMAIL_PORT", 25, "SMTP port", minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", "SMTP user name (empty = no login)")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", "SMTP password")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False, "STARTTLS on the SMTP connection")
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "shequ@localhost", "sender address of notification e-mails")
EMAIL_NOTIFICATIONS = bool(EMAIL_HOST)
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_MB", 10, "largest uploaded document, in MB", minimum=1) * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
JOB_LEASE_SECONDS = env_int(
    "JOB_LEASE_SECONDS",
    120,
    "how long a running job's lease lasts without renewal before "
    "another worker may take the job over (registry/jobs.py)",
    minimum=1,
)
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-job leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Long work never waits behind other long work: each kind has a queue and, in docker-compose, workers of its
# own (docs/deployment.md "Queues"). A worker started without -Q serves them all (the embedded mode, the tests).
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "imports", "exports", "reports", "daily")]
CELERY_TASK_DEFAULT_QUEUE = "celery"  # short housekeeping (requeue-waiting)
CELERY_TASK_ROUTES = ["config.celery.route_task"]
CELERY_BEAT_SCHEDULE = {
    # Annual reports (opened on 1 January), reminders, overdue flags, credit escalation, term alerts, zombies.
    "daily-lifecycle": {"task": "filings.tasks.daily_lifecycle", "schedule": crontab(hour=2, minute=0)},
    # Jobs and reports left queued while the broker was unreachable go on the queue again.
    "requeue-waiting": {"task": "registry.tasks.requeue_waiting", "schedule": crontab(minute="*/2")},
    # Indicator values per region per day: trends, and fast dashboards for provinces, cities and counties.
    "daily-snapshots": {"task": "reporting.tasks.daily_snapshots", "schedule": crontab(hour=3, minute=0)},
    # Yearly reports before 10 January (DOMAIN.md §7); also recovers reports whose worker died.
    "yearly-reports": {
        "task": "reporting.tasks.schedule_yearly_reports",
        "schedule": crontab(hour=4, minute=0, day_of_month="1-9", month_of_year=1),
    },
}

# Idle timeout: the session ends after this many seconds without a request, and with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60, "seconds of inactivity before a login ends", minimum=300)
# The idle timeout is pushed back by saving the session, at most once per SESSION_REFRESH_SECONDS rather than on
# every request (registry.middleware.RefreshingSessionMiddleware): a login ends between AGE - REFRESH and AGE
# seconds after its last request.
SESSION_REFRESH_SECONDS = env_int(
    "SESSION_REFRESH_SECONDS",
    60,
    "an unchanged session is saved again (its idle timeout pushed back) at most this often; 0 = on every request",
    minimum=0,
)
if SESSION_REFRESH_SECONDS >= SESSION_COOKIE_AGE // 2:
    raise ImproperlyConfigured("SESSION_REFRESH_SECONDS must be less than half of SESSION_COOKIE_AGE")
SESSION_SAVE_EVERY_REQUEST = False  # see SESSION_REFRESH_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION, "redirect HTTP to HTTPS (behind TLS)")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, "HSTS max-age")
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Only the portal's own assets. Scripts: no inline code at all. Styles allow inline attributes: Bootstrap's
# progress bars, htmx's indicator style and the API docs' UI set them; no remote origin is allowed anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "registry.tokens.HashedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "registry.middleware.StaffOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Services raise Django's PermissionDenied / ValidationError and the workflow kit's TransitionConflict: one
    # translation into 403 / 400 / 409 for every viewset (registry/api/errors.py).
    "EXCEPTION_HANDLER": "registry.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shequ API",
    "DESCRIPTION": "Community social organization registry (社区社会组织). Every endpoint applies the same "
    "jurisdiction rule as the portal's pages.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "filings.choices.CaseKind",
        "DocumentKindEnum": "filings.choices.DocumentKind",
        "CertificateKindEnum": "filings.choices.CertificateKind",
        "OrgStatusEnum": "registry.choices.OrgStatus",
        "JobStatusEnum": "registry.choices.JobStatus",
        "JobKindEnum": "registry.choices.JobKind",
    },
}

DJANGO_TABLES2_TEMPLATE = "layout/table.html"

# Printed on certificates in front of the verification path, so a reader can type the address.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000", "public address of the portal, printed on certificates")

# Demo data: which official district the demo builds (杭州市西湖区 by default).
DEMO_COUNTY_CODE = env_str("DEMO_COUNTY_CODE", "330106", "GB/T 2260 county code the demo data is built from")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO", "root log level")},
}
