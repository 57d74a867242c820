"""The bodies every association finds in the registry from day one.

Used by a data migration (with the historical model) and by tests; it writes only what is
missing, so it can run any number of times.
"""

from taxonomy import get_taxonomy

# The 19 communes of the Brussels-Capital Region, each with its CPAS / OCMW.
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


def _of(name_fr: str) -> str:
    return f"d'{name_fr}" if name_fr[0] in "AEIOUaeiouÉé" else f"de {name_fr}"


def registry_rows() -> list[dict]:
    rows = [
        {
            "code": item.code,
            "name": item.labels["fr"],
            "kind": item.extra["category"],
            "postcode": "",
        }
        for item in get_taxonomy().institutions
    ]
    for postcode, fr, nl in BRUSSELS_MUNICIPALITIES:
        rows.append(
            {
                "code": None,
                "kind": "cpas",
                "postcode": postcode,
                "name": f"CPAS {_of(fr)} / OCMW {nl}",
            }
        )
        rows.append(
            {
                "code": None,
                "kind": "commune",
                "postcode": postcode,
                "name": f"Commune {_of(fr)} / Gemeente {nl}",
            }
        )
    return rows


def seed_registry(institution_model) -> int:
    """Add the missing bodies; return how many were added."""
    existing = set(institution_model.objects.values_list("name", "postcode"))
    missing = [
        institution_model(**row)
        for row in registry_rows()
        if (row["name"], row["postcode"]) not in existing
    ]
    institution_model.objects.bulk_create(missing)
    return len(missing)
