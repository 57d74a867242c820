import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("aide_numerique")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.beat_init.connect
@signals.worker_init.connect
def _require_secret_key(**kwargs):
    from django.core.exceptions import ImproperlyConfigured

    from config.secret_key import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as exc:
        # Celery logs and passes over an exception of a signal handler: exit instead.
        raise SystemExit(str(exc)) from None
