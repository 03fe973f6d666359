"""Tandem settings. Every value that differs between machines comes from the environment.

Secure values are the defaults: a deployment has to opt out of a protection explicitly
(local plain-http serving sets SECURE_COOKIES=false), never opt in.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "core",
    "accounts",
    "panels",
    "sharing",
    "offenders",
    "cohorts",
    "meetings",
    "crossref",
    "actions",
    "reporting",
    "governance",
    "retention",
    "demo",
    # Benchmarks and the synthetic data generator: management commands only; no app
    # imports it.
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "accounts.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: whether htmx asked for a part of a page (pages work without it).
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    # A statement cancelled by WEB_STATEMENT_TIMEOUT_SECONDS: "This page took too long".
    "core.middleware.StatementTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Planner settings for every connection the app makes, measured at 100,000 nominals
# (docs/benchmarks.md, "Visibility and the planner"):
# - jit=off: the queries here are short index lookups; when a row estimate crossed
#   jit_above_cost, PostgreSQL spent about 600 ms compiling a list query that then ran in
#   under 100 ms. Nothing the app runs is long and CPU-bound enough to repay compiling.
# - random_page_cost=1.1: the data sits on SSD or in memory, where a random read costs about
#   the same as a sequential one; at the default 4, the planner scanned every nominal to
#   join a borough's 3,000 visible ids instead of looking each one up by primary key.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = env_str(
    "DATABASE_SESSION_OPTIONS", "-c jit=off -c random_page_cost=1.1"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A web request's SQL statement is cancelled after this long, and the person sees "This page
# took too long" (core/middleware.py) instead of gunicorn killing the worker (its timeout,
# in the Dockerfile, is longer). Set by config/wsgi.py for web processes only: the
# worker's long jobs are not limited.
WEB_STATEMENT_TIMEOUT_SECONDS = env_int("WEB_STATEMENT_TIMEOUT_SECONDS", 20)
# The database role the web, worker and beat processes connect as (DATABASE_URL's user).
# The migrations, run as the owner role, grant it what the application needs and no more:
# SELECT and INSERT only on the audit trail and the access log (see config/dbroles.py).
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE", "tandem_app")

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object grants on panels; pages never call has_perm per row (see sharing/access.py).
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "dashboard"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Account set-up links sent to new staff stay valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60

# Sessions live in PostgreSQL so a Redis outage signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Browsers accept `__Host-` cookies only when they are Secure, so plain-http local
# serving turns both off together.
SECURE_COOKIES = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    # Report charts are drawn on the server and sent inside the page as PNG data.
    "img-src": [CSP.SELF, "data:"],
    "script-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Reports: counts of people below this are shown as "fewer than N" to the committee.
REPORT_SUPPRESSION_THRESHOLD = env_int("REPORT_SUPPRESSION_THRESHOLD", 5)
# A pause after each step of producing a report, for the test that kills a worker mid-run
# (never set in service).
REPORT_STEP_PAUSE_SECONDS = env_int("REPORT_STEP_PAUSE_MS", 0) / 1000

# Unusual reading, flagged to information governance leads (governance/selectors/unusual.py).
# A busy day: a member of staff opened more than this many times the different records they
# open on a usual day (the median of their days with any reads in the weeks before)...
GOVERNANCE_BUSY_DAY_FACTOR = env_int("GOVERNANCE_BUSY_DAY_FACTOR", 3)
# ...and at least this many different records that day, so a quiet reader who opens five
# records instead of one is not flagged.
GOVERNANCE_BUSY_DAY_MINIMUM = env_int("GOVERNANCE_BUSY_DAY_MINIMUM", 20)
# How many days before the busy day make up the member of staff's usual day.
GOVERNANCE_BASELINE_DAYS = env_int("GOVERNANCE_BASELINE_DAYS", 30)
# Working hours, in local time: a read before the first hour or from the last hour on, or
# at a weekend, is "out of hours".
GOVERNANCE_WORKING_HOURS_START = env_int("GOVERNANCE_WORKING_HOURS_START", 7)
GOVERNANCE_WORKING_HOURS_END = env_int("GOVERNANCE_WORKING_HOURS_END", 19)

# Uploads: cohort lists and action plans are small tables; anything far larger is refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Sign-in guessing (docs/security.md). Two limits, chosen so that knowing a username is not
# enough to keep its owner out:
# 1. Five failed passwords or codes for one username from one client address pause that
#    pair for 30 minutes. The pair, not the username alone: a lock on the username would let
#    anyone who knows it shut its owner out for half an hour, again and again; a lock on the
#    address alone would shut out a whole police station behind one address for one
#    person's typos.
# 2. Attackers with many addresses are held back per username, across all addresses: once a
#    username has SIGN_IN_GUARD_FAILURES failures in SIGN_IN_GUARD_HOURS, its sign-in stops
#    saying whether a password was right and asks for the security code first, checking
#    both together. A guess then needs the password and the current code at once, so it
#    teaches the attacker nothing, while the owner with the right password and code still
#    signs in straight away, from anywhere. django-otp's growing pause after each wrong code
#    (per authenticator, across all addresses) bounds guessing of the code itself.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "accounts.views.auth.locked_out"
# One row per failure, with its time: the per-username count of limit 2 reads it.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client address comes from the connection, never from a header the client writes;
# X-Forwarded-For is read only behind as many proxies of our own as TRUSTED_PROXY_COUNT says.
AXES_CLIENT_IP_CALLABLE = "accounts.sign_in_guard.client_address"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SIGN_IN_GUARD_FAILURES = env_int("SIGN_IN_GUARD_FAILURES", 10)
SIGN_IN_GUARD_WINDOW = timedelta(hours=env_int("SIGN_IN_GUARD_HOURS", 24))

OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Tandem")
# A half-signed-in session (password given, code not yet) lasts this long.
SIGN_IN_CODE_WINDOW = timedelta(minutes=10)
# Moving a meeting to a weekend or a bank holiday of this UK region asks to confirm
# (ENG England, WLS Wales, SCT Scotland, NIR Northern Ireland).
BANK_HOLIDAY_REGION = env_str("BANK_HOLIDAY_REGION", "ENG")
# Exports of personal data, merges, agreement signatures and deletions ask for the password
# or a security code again when the last check is older than this (accounts/reauth.py).
REAUTHENTICATION_MAX_AGE = timedelta(minutes=env_int("REAUTHENTICATION_MINUTES", 15))

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None
# An in-force agreement whose review is overdue keeps working for this many days. Grants
# record the resulting last day when they are recomputed: after changing this, recompute.
ISA_REVIEW_GRACE_DAYS = env_int("ISA_REVIEW_GRACE_DAYS", 30)
# The largest signed agreement document accepted, in bytes.
ISA_DOCUMENT_MAX_BYTES = env_int("ISA_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Governance leads are reminded this many days before an agreement's review is due, again
# on the day, and while it is overdue within the grace period.
ISA_REVIEW_REMINDER_DAYS = env_int("ISA_REVIEW_REMINDER_DAYS", 30)
# Panels' meetings are created from their rules this many months ahead.
MEETINGS_MONTHS_AHEAD = env_int("MEETINGS_MONTHS_AHEAD", 3)
# How long a person's record is kept once they are on no cohort and nothing more happens
# on it, when no panel they were on sets a period of its own (new panels start with it).
RETENTION_DEFAULT_MONTHS = env_int("RETENTION_DEFAULT_MONTHS", 72)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "/assets/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tandem@localhost")
SERVICE_NAME = "Tandem"
# The service's address as staff reach it, for links in e-mails sent by scheduled jobs,
# which have no request to take the host from.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.DeclaredActionPermission"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.TandemAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Multi-agency offender case management for a Community Safety Partnership.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Each PATCH has its own input serializer, whose required fields (the version the
    # caller read) are required in a PATCH too.
    "COMPONENT_SPLIT_PATCH": False,
    # Choice sets shared by several fields or serializers, named once in the schema.
    "ENUM_NAME_OVERRIDES": {
        "MeetingKindEnum": "meetings.models.MeetingKind",
        "MeetingStatusEnum": "meetings.models.MeetingStatus",
        "RagEnum": "panels.models.Rag",
        "PlanRagEnum": "actions.models.Rag",
        "FindingKindEnum": "crossref.models.FindingKind",
        "FindingStatusEnum": "crossref.models.FindingStatus",
        "AgendaReasonEnum": "meetings.models.AgendaReason",
        "CustodyReasonEnum": "offenders.models.CustodyReason",
    },
}

# The cross-reference job scores candidate pairs in resumable chunks of this many pairs; a
# pause after each chunk is for tests that need a run to take a while (never set in service).
CROSSREF_CHUNK_PAIRS = env_int("CROSSREF_CHUNK_PAIRS", 100_000)
# The monthly task shares the run's chunks among the workers (one task a chunk, then one to
# finish), so more workers make it faster; off, one worker does the whole run.
CROSSREF_SPREAD_CHUNKS = env_bool("CROSSREF_SPREAD_CHUNKS", True)
# Monthly lists longer than this are matched by the worker, with progress on the page.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 1000)
# A pause after each step of matching a long list, for the test that kills a worker mid-run
# (never set in service).
IMPORT_MATCH_PAUSE_SECONDS = env_int("IMPORT_MATCH_PAUSE_MS", 0) / 1000
# An action plan with more steps than this has its Word document made by the worker, with
# progress on the page; a shorter one downloads at once. The document costs about 0.2-0.3 ms
# a step on top of a fixed part (docs/benchmarks.md, the action plan's Word export): 300
# steps, five times the source paper's plan, are drawn while the browser waits; a longer
# plan would hold a web worker for seconds.
PLAN_EXPORT_BACKGROUND_STEPS = env_int("PLAN_EXPORT_BACKGROUND_STEPS", 300)
CROSSREF_CHUNK_PAUSE_SECONDS = env_int("CROSSREF_CHUNK_PAUSE_MS", 0) / 1000

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only when it finishes, and handed to another worker when the one
# running it dies, so a killed worker loses no work; tasks are written to be re-run safely.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A job running when Redis goes away carries on and finishes; its message, never
# acknowledged, may be delivered again later, and then finds the job done.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # A Redis that does not answer is given up on quickly: a request asking for a job leaves
    # it in the outbox (core/jobs.py) rather than wait.
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers wait for Redis for as long as it is away, however long, and then carry on.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Jobs asked for while Redis was down wait in PostgreSQL (core.QueuedJob) and are sent by
# beat this often once it is back.
JOB_DISPATCH_SECONDS = env_int("JOB_DISPATCH_SECONDS", 30)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Jobs that could not be sent when they were asked for; a tick not run by the next one is
    # dropped, as the next does the same.
    "dispatch-queued-jobs": {
        "task": "core.tasks.dispatch_queued_jobs",
        "schedule": timedelta(seconds=JOB_DISPATCH_SECONDS),
        "options": {"expires": JOB_DISPATCH_SECONDS},
    },
    # Grants carry the days they are in force, so lapses by date need no job; this one
    # deletes grants whose days have all passed and repairs any drift.
    "recompute-panel-access-nightly": {
        "task": "sharing.tasks.recompute_access",
        "schedule": crontab(hour=0, minute=5),
    },
    # Meetings for the next few months, from each panel's rules; idempotent, so daily is
    # only a safety net for rules added or changed during the day.
    "schedule-meetings-daily": {
        "task": "meetings.tasks.schedule_meetings",
        "schedule": crontab(hour=1, minute=10),
    },
    "flag-overdue-case-actions-nightly": {
        "task": "meetings.tasks.flag_overdue_case_actions",
        "schedule": crontab(hour=1, minute=30),
    },
    # The monthly cross-reference of every nominal and active cohort, on the 1st at 02:00;
    # queued once per month (a month already run is left alone).
    "cross-reference-monthly": {
        "task": "crossref.tasks.monthly_cross_reference",
        "schedule": crontab(hour=2, minute=0, day_of_month=1),
    },
    # Governance leads hear of agreements' reviews before they fall due; idempotent per
    # agreement, review date and stage, so a second run the same day sends nothing.
    "remind-agreement-reviews-daily": {
        "task": "sharing.tasks.remind_agreement_reviews",
        "schedule": crontab(hour=6, minute=30),
    },
    # Records due for a retention review, listed for each agency's governance lead;
    # idempotent, so a second run in a night lists and notifies nothing more.
    "list-retention-reviews-nightly": {
        "task": "retention.tasks.list_retention_reviews",
        "schedule": crontab(hour=3, minute=15),
    },
    # Monday morning, so leads start the week knowing which plan steps need an update.
    "remind-plan-step-leads-weekly": {
        "task": "actions.tasks.remind_step_leads",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
