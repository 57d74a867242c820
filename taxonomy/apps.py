from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "taxonomy"

    def ready(self):
        # A broken code list fails loudly at start-up, not on the first entry logged.
        from . import get_taxonomy

        get_taxonomy()
