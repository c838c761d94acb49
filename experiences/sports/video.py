"""Clips from the kick camera: checked with ffprobe, turned into phone-playable H.264 with FFmpeg.

FFmpeg is Debian's (installed by the project's set-up, `.ci/run`); it is called as a
program because it is the tool that knows every container and codec a camera might send,
and its `minterpolate` filter does motion-compensated frame interpolation offline.
"""

import json
import math
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from kernel.errors import Rejected

# What a kick camera may send: QuickTime/MP4 family containers only.
ACCEPTED_FORMATS = {"mov", "mp4", "m4a", "3gp", "3g2", "mj2"}

Progress = Callable[[float], None]


class ClipRejected(Rejected):
    """The upload is not a clip Booth can use; the message says what to send instead."""

    code = "clip_rejected"

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(None, message, status)


class VideoFailed(RuntimeError):
    """FFmpeg could not make the replay; the message carries FFmpeg's own last words."""


@dataclass(frozen=True)
class ClipInfo:
    duration: float
    fps: float
    width: int
    height: int
    codec: str
    frames: int


def probe(path: Path) -> ClipInfo:
    """What the clip holds, read by ffprobe: the container's index and every packet's
    place in the file (demuxed, not decoded), so a clip cut short in upload is caught."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, file path argument
            [
                settings.BOOTH_FFPROBE,
                "-v",
                "error",
                "-count_packets",
                "-show_entries",
                "format=format_name,duration:stream=codec_type,codec_name,width,height,"
                "avg_frame_rate,nb_frames,nb_read_packets",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ClipRejected(_("The clip could not be read in time.")) from exc
    if result.returncode != 0:
        raise ClipRejected(_("This file is not a video Booth can read. Send an MP4 or MOV clip."))
    return parse_probe(result.stdout)


def parse_probe(output: str) -> ClipInfo:
    """ffprobe's JSON as ClipInfo; anything odd in it is a ClipRejected, never a crash."""
    try:
        data = json.loads(output or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ClipRejected(_("This file is not a video Booth can read. Send an MP4 or MOV clip."))
    fmt = data.get("format")
    fmt = fmt if isinstance(fmt, dict) else {}
    if not ACCEPTED_FORMATS & set(str(fmt.get("format_name", "")).split(",")):
        raise ClipRejected(_("Send the clip as MP4 or MOV."), status=415)
    streams = data.get("streams")
    video = next(
        (
            s
            for s in (streams if isinstance(streams, list) else [])
            if isinstance(s, dict) and s.get("codec_type") == "video"
        ),
        None,
    )
    if video is None:
        raise ClipRejected(_("The file has no video track."))
    fps = _rate(str(video.get("avg_frame_rate", "0/1")))
    duration = _number(fmt.get("duration"))
    width, height = int(_number(video.get("width"))), int(_number(video.get("height")))
    if not (0 < fps < 1000 and 0 < duration < 1e6):
        raise ClipRejected(_("The clip has no playable frames."))
    if width <= 0 or height <= 0:
        raise ClipRejected(_("The clip's picture size cannot be read. Send an MP4 or MOV clip."))
    frames = int(_number(video.get("nb_frames")) or round(duration * fps))
    read = video.get("nb_read_packets")
    if read is not None and frames > 0 and _number(read) < frames:
        raise ClipRejected(
            _("The clip is incomplete: %(read)d of its %(frames)d frames arrived. Upload it again.")
            % {"read": int(_number(read)), "frames": frames}
        )
    return ClipInfo(duration, fps, width, height, str(video.get("codec_name", "")), frames)


def _number(value) -> float:
    """A finite number from ffprobe's JSON ("N/A", absent or garbage: 0)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and abs(number) < 1e12 else 0.0


def check_clip(path: Path) -> ClipInfo:
    """The clip's facts, or ClipRejected when it is too big, too long or unreadable."""
    check_size(path.stat().st_size)
    info = probe(path)
    if info.duration > settings.BOOTH_MAX_CLIP_SECONDS:
        raise ClipRejected(
            _("The clip lasts %(seconds).1f s; the limit is %(limit)d s. Trim it to the kick.")
            % {"seconds": info.duration, "limit": settings.BOOTH_MAX_CLIP_SECONDS},
            status=422,
        )
    if max(info.width, info.height) > settings.BOOTH_MAX_CLIP_SIDE:
        raise ClipRejected(
            _("The clip is %(w)d×%(h)d; send at most %(side)d pixels on the long side.")
            % {"w": info.width, "h": info.height, "side": settings.BOOTH_MAX_CLIP_SIDE},
            status=422,
        )
    return info


def check_size(size: int) -> None:
    """Refuse an empty or oversized clip before it is written anywhere."""
    if size <= 0:
        raise ClipRejected(_("The clip is empty (0 bytes). Send the MP4 or MOV file again."))
    if size > settings.BOOTH_MAX_CLIP_BYTES:
        raise ClipRejected(
            _("The clip is larger than %(mb)d MB. Send a shorter clip.")
            % {"mb": settings.BOOTH_MAX_CLIP_BYTES // (1024 * 1024)},
            status=413,
        )


def _rate(text: str) -> float:
    num, _sep, den = text.partition("/")
    rate = _number(num) / _number(den or 1) if _number(den or 1) else 0.0
    return rate if math.isfinite(rate) else 0.0


# H.264 High profile, yuv420p and the index at the front: what every phone browser plays
# progressively. Even dimensions are required by yuv420p.
PHONE_H264 = [
    "-an",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "23",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
]
EVEN = "scale=trunc(iw/2)*2:trunc(ih/2)*2"


def run_ffmpeg(args: list[str], *, duration: float, progress: Progress | None = None) -> None:
    """Run FFmpeg, reporting the fraction of `duration` (output seconds) done so far."""
    command = [
        settings.BOOTH_FFMPEG,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        *args,
    ]
    process = subprocess.Popen(  # noqa: S603 - fixed program, our own arguments
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        match = re.match(r"out_time_us=(\d+)", line)
        if match and progress and duration > 0:
            progress(min(1.0, int(match.group(1)) / 1e6 / duration))
    stderr = process.stderr.read() if process.stderr else ""
    if process.wait() != 0:
        raise VideoFailed(f"FFmpeg failed: {stderr.strip()[-400:] or 'no message'}")
    if progress:
        progress(1.0)


class FrameWriter:
    """Raw BGR frames piped into FFmpeg, which encodes phone H.264: OpenCV's own writer has
    no H.264 encoder in the pip wheels."""

    def __init__(self, output: Path, width: int, height: int, fps: float) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed program, our own arguments
            [settings.BOOTH_FFMPEG, "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
             "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}",
             "-r", f"{fps:.3f}", "-i", "pipe:0", "-vf", EVEN, *PHONE_H264, str(output)],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    def write(self, frame) -> None:
        try:
            self.process.stdin.write(frame.tobytes())
        except BrokenPipeError as exc:
            raise VideoFailed(f"FFmpeg stopped: {self._stderr()}") from exc

    def close(self) -> None:
        self.process.stdin.close()
        if self.process.wait() != 0:
            raise VideoFailed(f"FFmpeg failed: {self._stderr()}")

    def abort(self) -> None:
        self.process.kill()
        self.process.wait()

    def _stderr(self) -> str:
        return (
            self.process.stderr.read().decode(errors="replace").strip()[-400:]
            if self.process.stderr
            else ""
        ) or "no message"


def slow_motion_filter(info: ClipInfo, factor: int) -> str:
    """Stretch time by `factor`, then let motion-compensated interpolation fill the gaps back
    to the clip's own frame rate, so the replay is smooth rather than a slide show."""
    fps = round(info.fps, 3)
    return (
        f"setpts={factor}*PTS,"
        f"minterpolate=fps={fps}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1,{EVEN}"
    )


def encode_frames(
    pattern: Path, fps: float, output: Path, progress: Progress | None = None, frames: int = 0
) -> None:
    """Numbered PNG frames (from an interpolation model) back into a phone-playable clip."""
    run_ffmpeg(
        ["-framerate", f"{fps:.3f}", "-i", str(pattern), "-vf", EVEN, *PHONE_H264, str(output)],
        duration=frames / fps if fps else 0,
        progress=progress,
    )


def side_by_side(
    original: Path, slow: Path, output: Path, progress: Progress | None = None
) -> None:
    """Original (real speed, its last frame held) beside the slow motion, same height, so a
    visitor sees what the interpolation added."""
    slow_info = probe(slow)
    run_ffmpeg(
        [
            "-i", str(original),
            "-i", str(slow),
            "-filter_complex",
            f"[0:v]scale=-2:{slow_info.height},setsar=1,fps={slow_info.fps:.3f},"
            f"tpad=stop_mode=clone:stop_duration={slow_info.duration:.3f}[left];"
            f"[1:v]setsar=1[right];[left][right]hstack=inputs=2:shortest=1,{EVEN}",
            *PHONE_H264,
            str(output),
        ],
        duration=slow_info.duration,
        progress=progress,
    )  # fmt: skip
