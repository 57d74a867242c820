import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

from config.secret_key import require_secret_key  # noqa: E402 (settings are loaded above)

require_secret_key()
