"""Fast inserts for the bulk write door (imports, demo data).

Django's bulk_create on SQLite is held to 999 parameters a statement, about forty entries,
and builds every statement in Python: a 100,000-entry import spent most of its time there.
On SQLite one prepared INSERT run by executemany does the same work in C. PostgreSQL keeps
bulk_create, which returns the new ids in large batches.
"""

from django.db import connection, models

POSTGRESQL_BATCH_SIZE = 2000


def bulk_insert(model, objects: list, *, assign_ids: bool = False) -> None:
    """Insert `objects` (unsaved instances); with `assign_ids`, their `pk` is set afterwards.

    Must run inside a transaction: on SQLite the ids are taken under the write lock that the
    IMMEDIATE transaction mode holds from its first statement.
    """
    if not objects:
        return
    if connection.vendor != "sqlite":
        model.objects.bulk_create(objects, batch_size=POSTGRESQL_BATCH_SIZE)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    fields = [f for f in meta.concrete_fields if assign_ids or not f.primary_key]
    with connection.cursor() as cursor:
        if assign_ids:
            # The next ids: past both the largest id and any id used before (AUTOINCREMENT).
            cursor.execute(f"SELECT COALESCE(MAX({quote(meta.pk.column)}), 0) FROM {table}")
            (largest,) = cursor.fetchone()
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
            row = cursor.fetchone()
            first = max(largest, row[0] if row else 0) + 1
            for offset, obj in enumerate(objects):
                obj.pk = first + offset
        # Field by field, only what needs it is converted: timestamps stamped, dates adapted.
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                for obj in objects:
                    field.pre_save(obj, True)
        getters = [_db_value(field) for field in fields]
        rows = [[get(obj) for get in getters] for obj in objects]
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _db_value(field):
    attname = field.attname
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
    elif isinstance(field, models.DateField):
        adapt = connection.ops.adapt_datefield_value
    elif isinstance(field, (models.JSONField, models.DecimalField)):
        return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
    else:  # text, integers, booleans and foreign keys go to SQLite as they are
        return lambda obj: getattr(obj, attname)
    return lambda obj: adapt(getattr(obj, attname))
