from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttemptsConfig(AppConfig):
    name = "attempts"
    verbose_name = _("contact attempts")

    def ready(self):
        # The person's page lists the records that follow a person; the log's app, below this
        # one, offers the hook rather than importing the diary upwards.
        from cases import selectors as case_selectors
        from cases import views as case_views

        from .presentation import person_attempt_rows
        from .views import today_section

        case_selectors.PERSON_RELATED_READERS["attempts"] = person_attempt_rows
        case_views.PERSON_SECTIONS["attempts"] = (
            _("Attempts to reach an institution"),
            "attempts/_person_attempts.html",
        )
        case_views.TODAY_SECTIONS["attempts"] = today_section
