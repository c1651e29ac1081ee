"""Two narrow exceptions to the append-only trigger.

1. Deleting a user unlinks them from their audit events (``actor`` → NULL, ``actor_name``
   kept). The trigger refused that too, so no user who had ever changed anything could be
   deleted (e.g. the demo users on a re-run). It now lets through exactly this update:
   ``actor_id`` set to NULL with every other column unchanged.
2. The demo's own events (``request_id = 'demo'``, written only by ``lisplan demo``; real
   events carry the request's id and no update can change it) may be deleted, so re-running
   the demo does not pile up orphaned history.
Every other UPDATE or DELETE is still refused.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND OLD.request_id = 'demo' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(forward, backward)]
