"""What the letter stage tells the walls and tablets, without knowing who listens (the
displays app does, like for experiences.photo.signals)."""

from django.dispatch import Signal

# The letter of `job` grew: `sections` ([{index, title, text}] of the sections that changed,
# each with its whole text so far) and `done` (True once, with every section).
letter_progress = Signal()
