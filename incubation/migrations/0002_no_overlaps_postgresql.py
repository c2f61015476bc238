"""Never double-booked, never double-assigned: on PostgreSQL, two exclusion constraints.

- confirmed bookings of one room never overlap: (space =, tstzrange(starts_at, ends_at) &&)
- agreements over one space never overlap: (space =, daterange(starts_on, ends_on, '[]') &&)

Other databases (SQLite in development and tests) skip both; the services check the same
rules there under a lock. The constraints are not part of the model state, so the
autodetector never asks for them on SQLite.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

BOOKING_SQL = """
ALTER TABLE incubation_booking ADD CONSTRAINT incubation_booking_no_overlap
EXCLUDE USING gist (space_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (status = 'confirmed')
"""
AGREEMENT_SQL = """
ALTER TABLE incubation_agreement ADD CONSTRAINT incubation_agreement_no_overlap
EXCLUDE USING gist (space_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
WHERE (space_id IS NOT NULL)
"""


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BOOKING_SQL)
    schema_editor.execute(AGREEMENT_SQL)


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE incubation_booking DROP CONSTRAINT IF EXISTS incubation_booking_no_overlap")
    schema_editor.execute(
        "ALTER TABLE incubation_agreement DROP CONSTRAINT IF EXISTS incubation_agreement_no_overlap"
    )


class Migration(migrations.Migration):
    dependencies = [("incubation", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraints, drop_constraints),
    ]
