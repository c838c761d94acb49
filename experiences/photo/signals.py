"""What a photo job tells the rest of Booth, without knowing who listens.

The job runner announces; the walls and tablets (the displays app) listen. Booth's layers
go one way: displays import the photo subdomain to show its results, so the photo job
cannot import displays back. Receivers run synchronously, in the sender's transaction
where the docstring says so (Django signals), so the "published exactly once" guarantee of
experiences.photo.jobs.publish covers what they do.
"""

from django.dispatch import Signal

# A job has started on a worker: `job`. Displays show "a portrait is being made".
processing_started = Signal()

# A finished job's portrait becomes its result: `job`, `portrait`. Sent inside the
# transaction that marks the job published, once per job.
result_published = Signal()

# A job has ended, succeeded (after `result_published`) or failed: `job`. Tablets hear
# how it ended; a failed job's display stops saying "processing".
job_finished = Signal()

# A published result's story was read aloud: `job`, `narration` (the audio asset). Walls
# showing the result (with their sound on) get the audio's link. Sent after the commit.
narration_ready = Signal()
