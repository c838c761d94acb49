"""Read-only questions about erased and withdrawn results."""

from experiences.models.photo import Asset, Job
from moderation.models import ErasedToken


def result_gone(token: str) -> bool:
    """Whether the result behind this link was erased or taken down by staff.

    Erased results are known only by a tombstone (a hash of the token), so an erased
    link answers 410 Gone while a link that never existed stays 404.
    """
    if ErasedToken.objects.contains(token):
        return True
    return Asset.objects.filter(token=token, job__review=Job.Review.REJECTED).exists()
