"""Reading a letter writer's stream with a timeout, and falling back to the offline writer.

A visitor watches the letter being written, so a slow or failing service must not leave
them watching nothing: when the configured writer raises, sends nothing for
BOOTH_LETTER_STALL_SECONDS, or has not finished within BOOTH_LETTER_DEADLINE_SECONDS, the
sections it finished are kept and the offline writer writes the rest. Pages are told
nothing of it (they just see the text go on); the job records it for staff.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings

from experiences.resume.letters import (
    SECTION_COUNT,
    LetterRequest,
    LetterUnavailable,
    LetterWriter,
    letter_writer,
)
from experiences.resume.offline import OfflineLetterWriter
from experiences.resume.sections import Section, SectionParser

logger = logging.getLogger(__name__)

# on_change(sections so far, indexes changed): called as the text grows.
OnChange = Callable[[list[Section], set[int]], None]
_END = object()


@dataclass
class WrittenLetter:
    sections: list[dict[str, str]]
    writer: str
    fallback_from: str = ""
    error: str = ""
    first_words_seconds: float | None = None
    seconds: float = 0.0


def with_timeouts(chunks: Iterator[str], stall: float, deadline: float) -> Iterator[str]:
    """`chunks`, read on a thread of its own, raising LetterUnavailable when the next chunk
    takes longer than `stall` seconds or the whole longer than `deadline`."""
    handoff: queue.Queue = queue.Queue()
    stop = threading.Event()

    def read() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    break
                handoff.put(chunk)
            handoff.put(_END)
        except BaseException as exc:  # handed over to the reading side
            handoff.put(exc)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None and stop.is_set():
                close()

    threading.Thread(target=read, name="letter-stream", daemon=True).start()
    ends = time.monotonic() + deadline
    try:
        while True:
            wait = min(stall, ends - time.monotonic())
            if wait <= 0:
                raise LetterUnavailable(f"The letter was not finished within {deadline:g} s")
            try:
                item = handoff.get(timeout=wait)
            except queue.Empty:
                if time.monotonic() >= ends:
                    raise LetterUnavailable(
                        f"The letter was not finished within {deadline:g} s"
                    ) from None
                raise LetterUnavailable(
                    f"The letter service sent nothing for {stall:g} s"
                ) from None
            if item is _END:
                return
            if isinstance(item, LetterUnavailable):
                raise item
            if isinstance(item, BaseException):
                raise LetterUnavailable(f"{type(item).__name__}: {item}") from item
            yield item
    finally:
        stop.set()


def write_letter(
    request: LetterRequest, on_change: OnChange, writer: LetterWriter | None = None
) -> WrittenLetter:
    """The four sections, written by the configured writer (or the offline one for what
    it could not write), with `on_change` told of every bit of new text."""
    writer = writer or letter_writer()
    started = time.monotonic()
    parser = SectionParser()
    first_words: list[float] = []

    def changed(indexes: set[int]) -> None:
        if indexes:
            if not first_words and any(s.text.strip() for s in parser.sections):
                first_words.append(time.monotonic() - started)
            on_change(parser.sections, indexes)

    try:
        chunks = writer.stream(request)
        if not isinstance(writer, OfflineLetterWriter):
            chunks = with_timeouts(
                chunks, settings.BOOTH_LETTER_STALL_SECONDS, settings.BOOTH_LETTER_DEADLINE_SECONDS
            )
        for chunk in chunks:
            changed(parser.feed(chunk))
        changed(parser.close())
        complete = [s for s in parser.sections if s.title.strip() and s.text.strip()]
        if len(complete) < SECTION_COUNT:
            raise LetterUnavailable(f"The letter had {len(complete)} of {SECTION_COUNT} sections")
    except LetterUnavailable as exc:
        logger.warning("Letter writer %s failed, the offline writer goes on: %s", writer.name, exc)
        finished = parser.sections[:-1] if parser.sections else []
        sections = _continue_offline(request, finished, on_change, first_words, started)
        return WrittenLetter(
            sections=[s.as_dict() for s in sections],
            writer=OfflineLetterWriter.name,
            fallback_from=writer.name,
            error=str(exc),
            first_words_seconds=first_words[0] if first_words else None,
            seconds=time.monotonic() - started,
        )
    return WrittenLetter(
        sections=[s.as_dict() for s in parser.sections[:SECTION_COUNT]],
        writer=writer.name,
        first_words_seconds=first_words[0] if first_words else None,
        seconds=time.monotonic() - started,
    )


def _continue_offline(
    request: LetterRequest,
    kept: list[Section],
    on_change: OnChange,
    first_words: list[float],
    started: float,
) -> list[Section]:
    """The offline letter's sections after the `kept` ones (the last, unfinished section
    of the failed writer is written again)."""
    kept = [s for s in kept if s.text.strip()][:SECTION_COUNT]
    sections = list(kept)
    parser = SectionParser()
    for chunk in OfflineLetterWriter().stream(request):
        indexes = {i for i in parser.feed(chunk) if i >= len(kept)}
        _merge(sections, parser.sections, indexes)
        if indexes:
            if not first_words:
                first_words.append(time.monotonic() - started)
            on_change(sections, indexes)
    indexes = {i for i in parser.close() if i >= len(kept)}
    _merge(sections, parser.sections, indexes)
    if indexes:
        on_change(sections, indexes)
    return sections[:SECTION_COUNT]


def _merge(sections: list[Section], offline: list[Section], indexes: set[int]) -> None:
    for index in sorted(indexes):
        while len(sections) <= index:
            sections.append(Section(title=""))
        sections[index] = offline[index]
