""" "Email me my portrait": one email with the result's link (and the JPEG, if small).

Where the visitor's address lives, and for how long:

1. the form post (visitors/delivery_views.py) validates it and stores one `PortraitEmail`
   row (address, language, job), in the request's transaction;
2. after commit, `send_portrait_email(<job id>, <row id>, <try>)` is queued on the
   persistent task queue: the queue's row (django-tasks-db keeps finished rows) holds the
   ids, never the address;
3. the task sends the email through Django's email framework and deletes the row, at
   once after a send, or after the last failed try (BOOTH_EMAIL_ATTEMPTS, with backoff);
4. an erasure of the visitor deletes a row still waiting (cascade with the job), and the
   queue rows that named it (moderation/traces.py).

Logs name the job and the error's class, never the address (an SMTP refusal's message
quotes it). A restart loses no email: the row and the queued task are both in the database.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from experiences.models import tallies
from experiences.models.delivery import PortraitEmail
from experiences.models.photo import Asset
from experiences.models.tallies import Tally
from experiences.selectors import story_language

logger = logging.getLogger(__name__)


def request_email(portrait: Asset, address: str) -> PortraitEmail:
    """Keep the address until the email is sent, and queue the send after commit.

    The email is written in the visitor's language, the one their story is in."""
    job = portrait.job
    language = job.story_language or story_language(job.capture.player)
    email = PortraitEmail.objects.create(job=job, address=address, language=language)
    transaction.on_commit(lambda: send_portrait_email.enqueue(job.pk, email.pk, 1))
    return email


def backoff_seconds(attempt: int) -> float:
    """Seconds before try `attempt + 1`: 30, 60, 120 s… capped at an hour."""
    return min(settings.BOOTH_EMAIL_BACKOFF_SECONDS * 2 ** (attempt - 1), 3600)


@task()
def send_portrait_email(job_id: int, email_id: int, attempt: int) -> str:
    """Send one portrait email; on failure queue the next try later (see the docstring).

    The job's id comes first, as in the other tasks of a visitor's job, so an erasure
    finds and deletes this queue row by it (moderation/traces.py)."""
    email = (
        PortraitEmail.objects.select_related("job__capture__player", "job__capture__station")
        .filter(pk=email_id, job_id=job_id)
        .first()
    )
    if email is None:
        return "dropped: the visitor was erased"
    job = email.job
    portrait = job.portrait
    if portrait is None or not job.visible:
        email.delete()
        return "dropped: the result is not shown"
    try:
        message(email, portrait).send(fail_silently=False)
    except Exception as error:
        if attempt >= settings.BOOTH_EMAIL_ATTEMPTS:
            email.delete()
            logger.error(
                "Email of job %s's portrait failed %d times, given up: %s",
                *(job.pk, attempt, type(error).__name__),
            )
            return "given up"
        delay = backoff_seconds(attempt)
        logger.warning(
            "Email of job %s's portrait failed (try %d), trying again in %.0f s: %s",
            *(job.pk, attempt, delay, type(error).__name__),
        )
        send_portrait_email.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            job_id, email_id, attempt + 1
        )
        return "retry queued"
    email.delete()
    station = job.capture.station
    if station is not None:
        tallies.count(station.event_id, Tally.Kind.EMAIL_SENT, station.number)
    return "sent"


def message(email: PortraitEmail, portrait: Asset) -> EmailMessage:
    """The email, in the visitor's language: the link, when it expires, and the JPEG if it
    is no larger than BOOTH_EMAIL_ATTACHMENT_MAX_BYTES."""
    player = email.job.capture.player
    station = email.job.capture.station
    event = station.event.name if station is not None else "Booth"
    with translation.override(email.language):
        subject = _("Your portrait from %(event)s") % {"event": event}
        body = render_to_string(
            "experiences/email/portrait.txt",
            {
                "player": player,
                "event": event,
                "link": portrait.public_url,
                "delete_after": player.delete_after,
            },
        )
    mail = EmailMessage(subject, body, to=[email.address])
    size = portrait.file.size
    if size <= settings.BOOTH_EMAIL_ATTACHMENT_MAX_BYTES:
        with portrait.file.open("rb") as stored:
            mail.attach(f"portrait-{portrait.created:%Y%m%d-%H%M}.jpg", stored.read(), "image/jpeg")
    return mail
