"""Make the spoken captcha's clips: one per digit and two phrases, per language,
with espeak-ng (a build-time tool only: production joins the committed clips in
pure Python, payam/captcha_speech.py).

    python scripts/make_captcha_clips.py          # or: make captcha-clips

For each language (fa: espeak-ng's Persian voice, en: English) it writes
payam/captcha_audio/<language>/<name>.wav (0.wav … 9.wav, intro.wav, again.wav):
mono, 16-bit, 16 kHz, the silence before and after trimmed, every clip brought to
the same loudness. Next to them, clips.json records for each clip the text said,
espeak-ng's phonemes for it (`espeak-ng -x`: what the voice actually said, so a
reader can check that the Persian voice says «سه» and not "three"), its length,
loudness and SHA-256; payam/tests/test_captcha_speech.py checks the clips against
it. Pure standard library, so it runs with any Python 3.11.
"""

import argparse
import array
import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "payam" / "captcha_audio"
RATE = 16_000  # Hz, what the clips are stored at
TARGET_RMS_DBFS = -16.0  # every clip as loud as the others
PEAK_DBFS = -1.0  # and never louder than this
FULL_SCALE = 32767


@dataclass(frozen=True)
class Voice:
    voice: str  # espeak-ng's name
    digit_speed: int  # words per minute (espeak's default is 175)
    phrase_speed: int  # the two phrases are not the challenge: a little quicker
    intro: str
    again: str

    def texts(self) -> dict[str, str]:
        """What each clip says, as espeak-ng is given it: the digits as digits, so
        the voice reads them its own way."""
        return {**{str(d): str(d) for d in range(10)}, "intro": self.intro, "again": self.again}


VOICES = {
    # The ezafe of «کدِ امنیتی» is written, or the voice leaves it out.
    "fa": Voice("fa", digit_speed=130, phrase_speed=160, intro="کدِ امنیتی", again="دوباره"),
    "en": Voice("en-us", digit_speed=140, phrase_speed=165, intro="Security code", again="Again"),
}


def espeak(binary: str, voice: str, speed: int, text: str) -> tuple[array.array, int]:
    """The samples espeak-ng says `text` with, and their rate."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.wav"
        subprocess.run(  # noqa: S603 — fixed arguments, no shell
            [binary, "-v", voice, "-s", str(speed), "-w", str(path), "--", text], check=True
        )
        with wave.open(str(path), "rb") as clip:
            if clip.getnchannels() != 1 or clip.getsampwidth() != 2:
                raise SystemExit(f"espeak-ng wrote an unexpected format: {clip.getparams()}")
            samples = array.array("h", clip.readframes(clip.getnframes()))
            if sys.byteorder == "big":
                samples.byteswap()
            return samples, clip.getframerate()


def phonemes(binary: str, voice: str, text: str) -> str:
    result = subprocess.run(  # noqa: S603 — fixed arguments, no shell
        [binary, "-v", voice, "-q", "-x", "--", text], check=True, capture_output=True, text=True
    )
    return " ".join(result.stdout.split())


def trim(samples: list[float], rate: int) -> list[float]:
    """Without the silence before and after: from 20 ms before the first 10 ms window
    louder than 3% of the peak to 60 ms after the last one (a word's quiet ending)."""
    window = rate // 100
    peak = max(abs(s) for s in samples) or 1.0
    loud = [
        i
        for i in range(0, len(samples), window)
        if math.sqrt(sum(s * s for s in samples[i : i + window]) / window) > 0.03 * peak
    ]
    if not loud:
        raise SystemExit("espeak-ng wrote silence")
    start = max(0, loud[0] - 2 * window)
    end = min(len(samples), loud[-1] + window + 6 * window)
    return samples[start:end]


def resample(samples: list[float], source: int, target: int) -> list[float]:
    """Band-limited resampling (a Hann-windowed sinc, cut off below the lower of
    the two Nyquist frequencies), so nothing folds back as a whistle."""
    if source == target:
        return samples
    ratio = source / target
    cutoff = min(1.0, target / source)  # relative to the source's Nyquist
    half = 24  # taps on each side, in source samples
    out = []
    for n in range(int(len(samples) / ratio)):
        centre = n * ratio
        first = max(0, math.ceil(centre - half))
        last = min(len(samples) - 1, math.floor(centre + half))
        total = 0.0
        for k in range(first, last + 1):
            x = k - centre
            sinc = 1.0 if x == 0 else math.sin(math.pi * cutoff * x) / (math.pi * cutoff * x)
            hann = 0.5 + 0.5 * math.cos(math.pi * x / half)
            total += samples[k] * cutoff * sinc * hann
        out.append(total)
    return out


def level(samples: list[float]) -> list[float]:
    """At TARGET_RMS_DBFS, the peak held under PEAK_DBFS; 5 ms fades at both ends."""
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    gain = FULL_SCALE * 10 ** (TARGET_RMS_DBFS / 20) / rms
    peak = max(abs(s) for s in samples)
    gain = min(gain, FULL_SCALE * 10 ** (PEAK_DBFS / 20) / peak)
    out = [s * gain for s in samples]
    fade = RATE // 200
    for i in range(min(fade, len(out) // 2)):
        out[i] *= i / fade
        out[-1 - i] *= i / fade
    return out


def rms_dbfs(samples: array.array) -> float:
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    return 20 * math.log10(rms / FULL_SCALE) if rms else -math.inf


def write(path: Path, samples: list[float]) -> array.array:
    pcm = array.array("h", (max(-FULL_SCALE, min(FULL_SCALE, round(s))) for s in samples))
    data = pcm
    if sys.byteorder == "big":
        data = array.array("h", pcm)
        data.byteswap()
    with wave.open(str(path), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(RATE)
        clip.writeframes(data.tobytes())
    return pcm


def make(language: str, binary: str) -> dict[str, dict[str, object]]:
    spec = VOICES[language]
    folder = OUT / language
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, object]] = {}
    for name, text in spec.texts().items():
        speed = spec.digit_speed if name.isdigit() else spec.phrase_speed
        raw, rate = espeak(binary, spec.voice, speed, text)
        samples = level(resample(trim([float(s) for s in raw], rate), rate, RATE))
        path = folder / f"{name}.wav"
        pcm = write(path, samples)
        manifest[name] = {
            "text": text,
            "phonemes": phonemes(binary, spec.voice, text),
            "seconds": round(len(pcm) / RATE, 3),
            "rms_dbfs": round(rms_dbfs(pcm), 1),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        sys.stdout.write(
            f"{language}/{name}.wav  {manifest[name]['seconds']:.2f} s  "
            f"{manifest[name]['rms_dbfs']} dBFS  [{manifest[name]['phonemes']}]\n"
        )
    about = {
        "made_with": subprocess.run(  # noqa: S603
            [binary, "--version"], check=True, capture_output=True, text=True
        ).stdout.strip(),
        "voice": spec.voice,
        "speed_wpm": {"digits": spec.digit_speed, "phrases": spec.phrase_speed},
        "rate_hz": RATE,
        "clips": manifest,
    }
    (folder / "clips.json").write_text(json.dumps(about, ensure_ascii=False, indent=2) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="*", help=f"of {', '.join(VOICES)} (default: all)")
    parser.add_argument("--espeak", default="espeak-ng", help="the espeak-ng binary")
    args = parser.parse_args()
    binary = shutil.which(args.espeak)
    if binary is None:
        raise SystemExit("espeak-ng is missing: apt-get install espeak-ng (only to make the clips)")
    unknown = set(args.languages) - set(VOICES)
    if unknown:
        parser.error(f"unknown language(s): {', '.join(sorted(unknown))}")
    for language in args.languages or list(VOICES):
        make(language, binary)


if __name__ == "__main__":
    main()
