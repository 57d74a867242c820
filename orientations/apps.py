from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrientationsConfig(AppConfig):
    name = "orientations"
    verbose_name = _("orientations")

    def ready(self):
        # The Today page lists the worker's orientations and their answers; the log's app,
        # below this one, offers the hook rather than importing orientations upwards.
        from cases import presentation
        from cases import views as case_views

        from .views import today_section

        case_views.TODAY_SECTIONS["orientations"] = today_section
        presentation.ENTRY_ACTIONS.append(("orientations:create", _("Orient")))
