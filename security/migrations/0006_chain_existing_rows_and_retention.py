"""Chain the rows written before the hash chain, and let the archiving command (only) remove
rows older than the 180 days the log must keep.

PostgreSQL's trigger now lets a DELETE through only inside ``archive_security_log``'s
transaction (which sets ``audit_portal.archiving``) and only for rows older than 180 days;
UPDATE stays refused. SQLite keeps refusing UPDATE (see 0002 for why DELETE stays open there).
"""

from django.db import migrations

from security.models import chain_hash

TABLE = "security_securityevent"
FIELDS = (
    "kind", "user_id", "username", "address", "method", "path", "status", "target",
    "request_id", "detail",
)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION security_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('audit_portal.archiving', true) = 'on'
       AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'security events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
POSTGRES_FUNCTION_BEFORE = """
CREATE OR REPLACE FUNCTION security_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'security events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_TRIGGER = f"""
CREATE TRIGGER security_event_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'security events are append-only'); END;
"""


def chain(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    SecurityEvent = apps.get_model("security", "SecurityEvent")
    ChainHead = apps.get_model("security", "ChainHead")
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER security_event_append_only")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS security_event_no_update")
    previous, last_id = "", None
    for row in SecurityEvent.objects.order_by("pk").iterator(chunk_size=2000):
        values = [getattr(row, name) for name in FIELDS]
        digest = chain_hash(previous, row.at, *values)
        SecurityEvent.objects.filter(pk=row.pk).update(previous_hash=previous, hash=digest)
        previous, last_id = digest, row.pk
    ChainHead.objects.update_or_create(pk=1, defaults={"hash": previous, "event_id": last_id})
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER security_event_append_only")
        schema_editor.execute(POSTGRES_FUNCTION)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def unchain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("security", "0005_hash_chain_and_policy")]

    operations = [migrations.RunPython(chain, unchain)]
