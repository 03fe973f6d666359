import os

from django.core.wsgi import get_wsgi_application
from django.db.backends.signals import connection_created

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from core.db import limit_web_statements  # noqa: E402 (needs the settings loaded above)

# Web requests only: a statement running past WEB_STATEMENT_TIMEOUT_SECONDS is cancelled and
# the person sees "This page took too long"; Celery workers and manage.py never load this.
connection_created.connect(limit_web_statements, dispatch_uid="limit_web_statements")
