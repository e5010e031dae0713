"""The database refuses to rewrite the security log.

SQLite refuses UPDATE; PostgreSQL refuses UPDATE and DELETE. (DELETE stays possible on
SQLite because Django's test runner empties tables with DELETE there; on PostgreSQL it
uses TRUNCATE, which only the database's owner can run, outside the portal.)
"""

from django.db import migrations

TABLE = "security_securityevent"

SQLITE_UP = f"""
CREATE TRIGGER security_event_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'security events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS security_event_no_update;"

POSTGRES_UP = f"""
CREATE FUNCTION security_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'security events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER security_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION security_event_append_only();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER IF EXISTS security_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS security_event_append_only();
"""


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        sql = statements_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("security", "0001_security_event")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
