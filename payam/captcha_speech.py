"""The captcha's digits, spoken: the sight-free alternative to its image (WCAG 1.1.1).

The clips (one per digit, an opening phrase and «دوباره») were made once with
espeak-ng's voices (scripts/make_captcha_clips.py, `make captcha-clips`) and are
committed under payam/captcha_audio/<language>/; production joins them here in
pure Python, with no speech binary. Each rendering is different: random silence
before, between and after the words, each word at a random gain and a slightly
random speed, the whole over low noise at a random level, so no two files are
alike and none is a byte-for-byte concatenation of the committed clips.

The file says: «کدِ امنیتی» · the five digits · «دوباره» · the five digits again
(a person need not press play twice), as 16-bit mono WAV at 16 kHz.
"""

import array
import io
import math
import operator
import random
import sys
import wave
from functools import cache
from pathlib import Path

CLIPS = Path(__file__).resolve().parent / "captcha_audio"
RATE = 16_000  # Hz, as the clips are stored
LANGUAGES = ("fa", "en")
DEFAULT_LANGUAGE = "fa"
FULL_SCALE = 32767

# Random ranges of one rendering.
LEAD_SECONDS = (0.2, 0.45)  # silence (noise) before the first word
AFTER_INTRO_SECONDS = (0.35, 0.6)
BETWEEN_DIGITS_SECONDS = (0.25, 0.55)
BEFORE_AGAIN_SECONDS = (0.6, 0.9)
TAIL_SECONDS = (0.2, 0.35)
WORD_GAIN = (0.7, 1.0)  # each word's amplitude (−3 dB to 0 dB)
WORD_SPEED = (0.93, 1.07)  # each word's speed (and pitch), ±7 %
NOISE_RMS = (0.015, 0.03)  # of full scale: 14–20 dB under the words


class ClipsMissing(RuntimeError):
    """The committed clips are not where the code expects them."""


def language_for(code: str | None) -> str:
    """The clips' language for a page in language `code` (Persian unless English)."""
    base = (code or "").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@cache
def clips(language: str) -> dict[str, array.array]:
    """The samples of 0–9, "intro" and "again" for `language`, read once per process."""
    folder = CLIPS / language
    loaded: dict[str, array.array] = {}
    for name in [*"0123456789", "intro", "again"]:
        path = folder / f"{name}.wav"
        try:
            with wave.open(str(path), "rb") as clip:
                params = clip.getparams()
                if (params.nchannels, params.sampwidth, params.framerate) != (1, 2, RATE):
                    raise ClipsMissing(f"{path}: not 16-bit mono at {RATE} Hz ({params})")
                samples = array.array("h", clip.readframes(params.nframes))
        except FileNotFoundError as exc:
            raise ClipsMissing(f"{path} is missing: run `make captcha-clips`") from exc
        if sys.byteorder == "big":
            samples.byteswap()
        loaded[name] = samples
    return loaded


def _stretched(samples: array.array, speed: float, gain: float) -> list[float]:
    """`samples` played `speed` times as fast (linear interpolation), times `gain`."""
    length = int((len(samples) - 1) / speed)
    out = [0.0] * length
    for i in range(length):
        position = i * speed
        j = int(position)
        fraction = position - j
        out[i] = gain * (samples[j] + (samples[j + 1] - samples[j]) * fraction)
    return out


def _silence(rng: random.Random, seconds: tuple[float, float]) -> list[float]:
    return [0.0] * int(rng.uniform(*seconds) * RATE)


def _noise(rng: random.Random, length: int) -> list[float]:
    """Low-passed white noise (a soft hiss, less harsh than white) at a random level.
    The raw noise is `length` random bytes in one call: drawing a float per sample
    from the system's generator would cost a system call each."""
    target = rng.uniform(*NOISE_RMS) * FULL_SCALE
    white = array.array("b", rng.randbytes(length))
    out = [0.0] * length
    state = 0.0
    for i, value in enumerate(white):
        state += 0.35 * (value - state)
        out[i] = state
    rms = math.sqrt(sum(s * s for s in out) / length) if length else 1.0
    scale = target / (rms or 1.0)
    return [s * scale for s in out]


def render(
    digits: str, *, language: str = DEFAULT_LANGUAGE, rng: random.Random | None = None
) -> bytes:
    """A WAV file that says `digits` (ASCII 0–9) twice in `language`."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("only the digits 0–9 can be spoken")
    rng = rng or random.SystemRandom()
    words = clips(language_for(language))

    def said(name: str) -> list[float]:
        return _stretched(words[name], rng.uniform(*WORD_SPEED), rng.uniform(*WORD_GAIN))

    track = _silence(rng, LEAD_SECONDS) + said("intro") + _silence(rng, AFTER_INTRO_SECONDS)
    for round_ in range(2):
        if round_:
            track += _silence(rng, BEFORE_AGAIN_SECONDS) + said("again")
            track += _silence(rng, AFTER_INTRO_SECONDS)
        for index, digit in enumerate(digits):
            if index:
                track += _silence(rng, BETWEEN_DIGITS_SECONDS)
            track += said(digit)
    track += _silence(rng, TAIL_SECONDS)

    mixed = map(operator.add, track, _noise(rng, len(track)))
    low, high = -FULL_SCALE, FULL_SCALE
    pcm = array.array("h", [low if v < low else high if v > high else int(v) for v in mixed])
    if sys.byteorder == "big":
        pcm.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    return out.getvalue()
