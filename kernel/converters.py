"""URL path converters that admit only what Booth issues, so anything else is a 404 at
routing: a NUL byte or other junk never reaches a database query (PostgreSQL refuses NUL
in strings, which would have been a 500)."""


class PublicTokenConverter:
    """Result and replay tokens: URL-safe base64 from secrets.token_urlsafe."""

    regex = r"[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class EventIdConverter(PublicTokenConverter):
    """A sensor's event id, as the shot API accepts it (ShotSerializer.event_id)."""

    regex = r"[A-Za-z0-9._:-]{1,64}"
