"""A visitor's "email me my portrait" request, kept only until it is sent."""

from django.db import models
from django.utils import timezone

from experiences.models.photo import Job


class PortraitEmail(models.Model):
    """One email to send: the only place the visitor's address is stored.

    The address is not kept: this row is deleted as soon as the email is sent, or given up
    after its last try (experiences.photo.portrait_email), and with the job when the
    visitor is erased (cascade). The queued task names this row's id only, so the task
    queue's table never holds the address; the SMTP server or SES keeps what any mail
    server keeps once the message has left Booth.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField()
    language = models.CharField(max_length=8)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Email of job {self.job_id}'s portrait"  # never the address (admin, logs)
