"""The competent bodies' first rows. Names from the bodies' own publications; the addresses
left empty were not confirmed and must be completed, and every row checked, by the site
administrator (docs/complaints.md)."""

import datetime as dt

from django.db import migrations

COMPILED_ON = dt.date(2026, 12, 3)

BODIES = [
    {
        "level": "federal",
        "name_fr": "SPF Stratégie et Appui (BOSA) – DG Simplification et digitalisation",
        "name_nl": "FOD Beleid en Ondersteuning (BOSA) – DG Vereenvoudiging en Digitalisering",
        "street_fr": "Boulevard Simon Bolivar 30, boîte 1",
        "street_nl": "Simon Bolivarlaan 30, bus 1",
        "postcode": "1000",
        "city_fr": "Bruxelles",
        "city_nl": "Brussel",
        "website": "https://bosa.belgium.be",
        "source": (
            "https://bosa.belgium.be/fr/themes/administration-numerique/"
            "simplification-administrative/only-once-la-collecte-unique-des"
        ),
    },
    {
        "level": "brussels",
        "name_fr": "easy.brussels – Agence régionale bruxelloise pour la simplification administrative",
        "name_nl": "easy.brussels – Brussels Gewestelijk Agentschap voor Administratieve Vereenvoudiging",
        "website": "https://easy.brussels",
        "source": "https://easy.brussels/bilan-2015-2020/",
    },
    {
        "level": "wallonia",
        "name_fr": "eWBS – e-Wallonie-Bruxelles Simplification",
        "name_nl": "eWBS – e-Wallonië-Brussel Vereenvoudiging",
        "email": "info@ensemblesimplifions.be",
        "website": "https://www.ensemblesimplifions.be",
        "source": (
            "Accord de coopération du 21 février 2013 (Région wallonne, Communauté française) "
            "organisant eWBS; https://www.ensemblesimplifions.be"
        ),
    },
]


def seed(apps, schema_editor):
    CompetentBody = apps.get_model("complaints", "CompetentBody")
    for row in BODIES:
        CompetentBody.objects.update_or_create(
            level=row["level"], defaults={**row, "source_date": COMPILED_ON}
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
