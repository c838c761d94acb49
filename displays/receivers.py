"""The walls and tablets follow photo jobs: receivers of experiences.photo.signals."""

from typing import Any

from django.dispatch import receiver

from displays import services
from experiences.models.photo import Asset, Job
from experiences.photo.signals import (
    job_finished,
    narration_ready,
    processing_started,
    result_published,
)
from experiences.resume.signals import letter_progress


@receiver(processing_started)
def show_processing(sender: Any, job: Job, **kwargs: Any) -> None:
    services.announce_processing(job)


@receiver(result_published)
def show_result(sender: Any, job: Job, portrait: Asset, **kwargs: Any) -> None:
    services.publish_result(job, portrait)


@receiver(job_finished)
def tell_the_tablet(sender: Any, job: Job, **kwargs: Any) -> None:
    station = job.capture.station
    if job.state == Job.State.FAILED and station is not None:
        services.push_state(station.display)  # clears "processing" on the display
    services.notify_station(station, services.job_outcome(job))


@receiver(narration_ready)
def play_narration(sender: Any, job: Job, **kwargs: Any) -> None:
    services.narration_ready(job)


@receiver(letter_progress)
def show_letter(sender: Any, job: Job, sections: list, done: bool, **kwargs: Any) -> None:
    services.push_letter(job, sections, done)
