from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MandatesConfig(AppConfig):
    name = "mandates"
    verbose_name = _("mandates")

    def ready(self):
        # The log's app, below this one, offers hooks rather than importing mandates upwards:
        # the mandate a do_for entry is done under, the person's page and the Today page.
        from cases import selectors as case_selectors
        from cases import services as case_services
        from cases import views as case_views

        from . import selectors
        from .views import person_mandates_block, today_section

        case_services.ENTRY_MANDATE_RESOLVERS["mandates"] = selectors.entries_mandates_assign
        case_selectors.PERSON_RELATED_READERS["mandates"] = person_mandates_block
        case_views.PERSON_SECTIONS["mandates"] = (_("Mandates"), "mandates/_person_mandates.html")
        case_views.TODAY_SECTIONS["mandates"] = today_section
        case_views.PERSON_ACTIONS.append(("mandates:create", _("Record a mandate")))
