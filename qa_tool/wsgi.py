"""WSGI entry point, for gunicorn: ``gunicorn qa_tool.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_tool.settings")
application = get_wsgi_application()
