from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkloadConfig(AppConfig):
    name = "workload"
    verbose_name = _("Workload")

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)
