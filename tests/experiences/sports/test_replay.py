"""Slow-motion replays made offline with FFmpeg from a kick-camera clip."""

import json
import subprocess

import numpy as np
import pytest

from experiences.sports.replay_backends import FFmpegSlowMotion, OpticalFlowSlowMotion
from experiences.sports.video import ClipRejected, check_clip, probe, side_by_side
from tests.clips import ball_clip, ball_x, needs_ffmpeg, read_frames

pytestmark = needs_ffmpeg


def ffprobe_streams(path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)


@pytest.fixture
def clip(tmp_path):
    return ball_clip(tmp_path / "kick.mp4")


BACKENDS = [OpticalFlowSlowMotion, FFmpegSlowMotion]


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_the_replay_is_three_times_longer_with_frames_really_in_between(clip, tmp_path, backend):
    info = probe(clip)
    out = tmp_path / "slow.mp4"
    seen = []

    backend().make(clip, info, out, 3, seen.append)

    slow = probe(out)
    assert slow.duration == pytest.approx(3 * info.duration, abs=0.25)
    assert slow.fps == pytest.approx(info.fps, abs=0.01)
    positions = [ball_x(frame) for frame in read_frames(out)]
    steps = np.diff([x for x in positions if x is not None])
    # The ball moved 10 px a frame in the kick clip; in the replay it moves about a third
    # of that every frame (new, interpolated positions), never jumping a whole step and
    # never standing still for two frames as a duplicated-frame "slow motion" would.
    assert len(steps) >= 3 * 24 - 6
    assert np.median(steps) == pytest.approx(10 / 3, abs=0.7)
    assert (steps > 0.8).mean() > 0.9
    assert seen and seen[-1] == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_the_replay_plays_on_phones(clip, tmp_path, backend):
    out = tmp_path / "slow.mp4"

    backend().make(clip, probe(clip), out, 3, lambda _: None)

    stream = ffprobe_streams(out)["streams"][0]
    assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv420p")
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "index must come first (faststart)"


def test_side_by_side_shows_the_original_beside_the_replay(clip, tmp_path):
    info = probe(clip)
    slow = tmp_path / "slow.mp4"
    OpticalFlowSlowMotion().make(clip, info, slow, 3, lambda _: None)
    both = tmp_path / "both.mp4"

    side_by_side(clip, slow, both)

    combined = probe(both)
    assert (combined.width, combined.height) == (2 * info.width, info.height)
    assert combined.duration == pytest.approx(probe(slow).duration, abs=0.25)
    last = read_frames(both)[-1]
    left, right = last[:, : info.width], last[:, info.width :]
    # At the end the original holds its last frame beside the replay's last frame.
    assert ball_x(left) == pytest.approx(ball_x(read_frames(clip)[-1]), abs=2)
    assert ball_x(right) == pytest.approx(ball_x(read_frames(slow)[-1]), abs=2)


def test_a_mov_clip_is_accepted(tmp_path):
    info = check_clip(ball_clip(tmp_path / "kick.mov"))

    assert (info.width, info.height, round(info.fps)) == (320, 180, 24)
    assert info.duration == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200, "not a video Booth can read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a video Booth can read"),
    ],
    ids=["empty", "truncated-mp4", "svg"],
)
def test_unreadable_files_are_rejected_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)

    with pytest.raises(ClipRejected, match=message):
        check_clip(path)


def test_a_clip_that_is_too_long_is_rejected(settings, tmp_path):
    settings.BOOTH_MAX_CLIP_SECONDS = 1
    clip = ball_clip(tmp_path / "long.mp4", frames=48)

    with pytest.raises(ClipRejected, match="limit is 1 s"):
        check_clip(clip)


def test_a_clip_that_is_too_big_is_rejected_before_it_is_read(settings, clip):
    settings.BOOTH_MAX_CLIP_BYTES = 1000

    with pytest.raises(ClipRejected, match="larger than 0 MB"):
        check_clip(clip)


def test_a_matroska_file_is_refused(tmp_path):
    clip = ball_clip(tmp_path / "kick.mkv")

    with pytest.raises(ClipRejected, match="MP4 or MOV"):
        check_clip(clip)
