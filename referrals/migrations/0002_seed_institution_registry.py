from django.db import migrations

# The first registry, frozen as it was seeded: the taxonomy's institutions and the 19 Brussels
# communes and CPAS. referrals.registry now loads the whole registry with fields this migration
# does not know yet; 0005 matches these rows and completes them in place.
BRUSSELS_MUNICIPALITIES = [
    ("1000", "Bruxelles", "Brussel"),
    ("1030", "Schaerbeek", "Schaarbeek"),
    ("1040", "Etterbeek", "Etterbeek"),
    ("1050", "Ixelles", "Elsene"),
    ("1060", "Saint-Gilles", "Sint-Gillis"),
    ("1070", "Anderlecht", "Anderlecht"),
    ("1080", "Molenbeek-Saint-Jean", "Sint-Jans-Molenbeek"),
    ("1081", "Koekelberg", "Koekelberg"),
    ("1082", "Berchem-Sainte-Agathe", "Sint-Agatha-Berchem"),
    ("1083", "Ganshoren", "Ganshoren"),
    ("1090", "Jette", "Jette"),
    ("1140", "Evere", "Evere"),
    ("1150", "Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe"),
    ("1160", "Auderghem", "Oudergem"),
    ("1170", "Watermael-Boitsfort", "Watermaal-Bosvoorde"),
    ("1180", "Uccle", "Ukkel"),
    ("1190", "Forest", "Vorst"),
    ("1200", "Woluwe-Saint-Lambert", "Sint-Lambrechts-Woluwe"),
    ("1210", "Saint-Josse-ten-Noode", "Sint-Joost-ten-Node"),
]


def _of(name_fr):
    return f"d'{name_fr}" if name_fr[0] in "AEIOUaeiouÉé" else f"de {name_fr}"


def seed(apps, schema_editor):
    from taxonomy import get_taxonomy

    Institution = apps.get_model("referrals", "Institution")
    rows = [
        {"code": item.code, "name": item.labels["fr"], "kind": item.extra["category"]}
        for item in get_taxonomy().institutions
    ]
    for postcode, fr, nl in BRUSSELS_MUNICIPALITIES:
        rows.append({"kind": "cpas", "postcode": postcode, "name": f"CPAS {_of(fr)} / OCMW {nl}"})
        rows.append(
            {"kind": "commune", "postcode": postcode, "name": f"Commune {_of(fr)} / Gemeente {nl}"}
        )
    existing = set(Institution.objects.values_list("name", "postcode"))
    Institution.objects.bulk_create(
        Institution(**row)
        for row in rows
        if (row["name"], row.get("postcode", "")) not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
