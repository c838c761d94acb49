"""Taking the next base portrait in turn: least recently used across the event.

Why a timestamp on the base image and a lock, rather than reading recent jobs: a job only
recorded its base image once it had succeeded, so jobs running at once (eight stations)
all saw the same "least used" image and picked it together, and erasing visitors deleted
the jobs the choice was read from. Stamping `last_used` in the same transaction as the
choice, under a lock on the experience row, makes each choice visible to the next at once.
"""

from django.db import transaction
from django.utils import timezone

from experiences.models.events import Experience, Player
from experiences.models.library import BaseImage
from experiences.selectors import choose_base_image


def take_base_image(experience: Experience, player: Player) -> BaseImage | None:
    """The matching base image unused longest, marked used now (None if there is none).

    The experience's row is locked first, so two jobs choosing at the same moment take
    turns and the second sees the first one's stamp (PostgreSQL; SQLite serialises
    writers anyway).
    """
    with transaction.atomic():
        list(Experience.objects.select_for_update().filter(pk=experience.pk).values_list("pk"))
        base = choose_base_image(experience, player)
        if base is not None:
            base.last_used = timezone.now()
            BaseImage.objects.filter(pk=base.pk).update(last_used=base.last_used)
    return base
