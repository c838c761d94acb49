"""SQLite connections zero what they delete (`PRAGMA secure_delete=ON`).

Without it a deleted visitor's nickname, story and file names stay readable in the
database file's free space until SQLite happens to reuse it. Connected in
BoothConfig.ready(); moderation/traces.py explains the choice over VACUUM.
"""

from django.db.backends.signals import connection_created


def secure_delete(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")


def install() -> None:
    connection_created.connect(secure_delete, dispatch_uid="booth.sqlite_secure_delete")
