"""Keeping visitors' link tokens out of the server log.

A result or replay token in a URL is the visitor's key: whoever reads it can open and
delete their photo. Django writes request paths into log lines ("Not Found: /r/<token>/",
"Forbidden (CSRF token missing.): /r/<token>/delete", "Gone: …"), and server logs are read
by more people, and kept longer, than the photos. The filter below masks the token in
every record that reaches a handler it is installed on (booth/settings.py installs it on
every handler), exception text included.

It is a handler filter, not a logger filter: a logger's filters only see records created
on that very logger, not those propagated from its children (django.request,
django.security.csrf, daphne.*), while a handler sees them all.
"""

import logging
import re

# /r/<token>… and /replays/<token>…: the token is secrets.token_urlsafe(24) (32 characters),
# matched loosely so a truncated or longer one is masked too.
TOKEN_IN_PATH = re.compile(r"(/(?:r|replays)/)[A-Za-z0-9_-]{12,}")
MASK = r"\1[token]"


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(MASK, text)


class MaskLinkTokens(logging.Filter):
    """Rewrites a record's message (and its formatted exception) with tokens masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it would
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatter.format() reuses exc_text once set: format it here, masked.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True
