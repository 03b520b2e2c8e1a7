"""The spoken captcha's clips (made with espeak-ng, committed) and how they are
joined at request time (payam/captcha_speech.py)."""

import array
import hashlib
import io
import json
import math
import random
import wave

import pytest

from payam import captcha_speech
from payam.captcha_speech import CLIPS, RATE, language_for, render

NAMES = [*"0123456789", "intro", "again"]
# What espeak-ng's Persian voice says for each digit (`espeak-ng -v fa -x`):
# صفر، یک، دو، سه، چهار، پنج، شش، هفت، هشت، نه — and not the English words.
PERSIAN_PHONEMES = {
    "0": "s'efR",
    "1": "j'ek",
    "2": "d'o",
    "3": "s'e",
    "4": "tS'AhAR",
    "5": "p'andZ",
    "6": "S'eS",
    "7": "h'aft",
    "8": "h'aSt",
    "9": "n'oh",
}


def samples_of(data: bytes) -> tuple[array.array, wave._wave_params]:
    with wave.open(io.BytesIO(data), "rb") as wav:
        params = wav.getparams()
        return array.array("h", wav.readframes(params.nframes)), params


def rms(samples: "array.array | list[float]") -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def words_in(samples: array.array, *, rate: int = RATE) -> list[tuple[int, int]]:
    """(start, end) of each stretch louder than the noise floor, in samples; quiet
    stretches shorter than 0.24 s (inside a word) do not split it."""
    frame = rate // 50  # 20 ms
    frames = [rms(samples[i : i + frame]) for i in range(0, len(samples) - frame, frame)]
    floor = sorted(frames)[len(frames) // 5]  # the quietest fifth is noise alone
    loud = [level > max(2 * floor, 800) for level in frames]
    words: list[list[int]] = []
    for index, is_loud in enumerate(loud):
        if not is_loud:
            continue
        if words and index - words[-1][1] <= 12:  # 0.24 s
            words[-1][1] = index
        else:
            words.append([index, index])
    return [(start * frame, (end + 1) * frame) for start, end in words]


# --- the committed clips ------------------------------------------------------------------


@pytest.mark.parametrize("language", captcha_speech.LANGUAGES)
def test_every_clip_is_a_short_loud_mono_16_bit_wav(language):
    for name in NAMES:
        data = (CLIPS / language / f"{name}.wav").read_bytes()
        samples, params = samples_of(data)
        seconds = params.nframes / params.framerate
        assert (params.nchannels, params.sampwidth) == (1, 2), name
        assert 8000 <= params.framerate <= 16000, name
        limit = 1.6 if name == "intro" else 1.0
        assert 0.25 <= seconds <= limit, (name, seconds)
        level = 20 * math.log10(rms(samples) / 32767)
        assert -22 <= level <= -14, (name, level)  # all about as loud: not silent, not clipped
        assert max(abs(s) for s in samples) < 32767 * 0.9, name
        # Trimmed: the sound starts within 40 ms and ends within the last 100 ms.
        audible = [i for i, s in enumerate(samples) if abs(s) > 1000]
        assert audible[0] < 0.04 * params.framerate, (name, audible[0])
        assert len(samples) - audible[-1] < 0.1 * params.framerate, name


@pytest.mark.parametrize("language", captcha_speech.LANGUAGES)
def test_the_record_of_how_the_clips_were_made_matches_them(language):
    about = json.loads((CLIPS / language / "clips.json").read_text())
    assert about["rate_hz"] == RATE
    assert sorted(about["clips"]) == sorted(NAMES)
    for name, clip in about["clips"].items():
        data = (CLIPS / language / f"{name}.wav").read_bytes()
        assert hashlib.sha256(data).hexdigest() == clip["sha256"], f"{language}/{name}.wav"


def test_the_persian_voice_says_persian_digits():
    about = json.loads((CLIPS / "fa" / "clips.json").read_text())
    assert about["voice"] == "fa"
    said = {name: about["clips"][name]["phonemes"] for name in PERSIAN_PHONEMES}
    assert said == PERSIAN_PHONEMES
    assert about["clips"]["intro"]["phonemes"].startswith("k'ode ")  # «کدِ امنیتی»


def test_clips_are_read_for_the_page_language():
    assert language_for("fa") == "fa"
    assert language_for("en") == "en"
    assert language_for("en-us") == "en"
    assert language_for("de") == "fa"
    assert language_for(None) == "fa"
    assert captcha_speech.clips("fa")["3"] != captcha_speech.clips("en")["3"]


# --- joining them at request time -----------------------------------------------------------


def test_a_rendering_is_a_valid_wav_of_plausible_length():
    data = render("35792")
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    samples, params = samples_of(data)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, RATE)
    seconds = params.nframes / RATE
    # «کدِ امنیتی», five digits, «دوباره», five digits, with pauses.
    assert 7 <= seconds <= 16, seconds
    assert rms(samples) > 1000


def test_every_rendering_differs_and_none_is_the_clips_end_to_end():
    renderings = [render("35792") for _ in range(3)]
    assert len(set(renderings)) == 3
    assert len({len(r) for r in renderings}) > 1  # the pauses differ, not only the noise
    for name in ("3", "5", "intro"):
        clip = (CLIPS / "fa" / f"{name}.wav").read_bytes()
        middle = clip[len(clip) // 2 : len(clip) // 2 + 400]
        assert all(middle not in rendering for rendering in renderings)


def test_a_rendering_says_intro_the_digits_again_and_the_digits():
    """With the clips replaced by a tone each (its own pitch), the words heard, in
    order, are the intro, the five digits, «دوباره» and the five digits again,
    despite the noise, the gains and the speeds."""
    pitch = {name: 300 * 1.25**index for index, name in enumerate(NAMES)}

    def tone(frequency: float) -> array.array:
        length = int(0.3 * RATE)
        fade = RATE // 100
        return array.array(
            "h",
            (
                int(
                    11000
                    * min(1.0, i / fade, (length - i) / fade)
                    * math.sin(2 * math.pi * frequency * i / RATE)
                )
                for i in range(length)
            ),
        )

    tones = {name: tone(frequency) for name, frequency in pitch.items()}
    heard_all = []
    for seed in range(5):
        original = captcha_speech.clips
        captcha_speech.clips = lambda language: tones  # type: ignore[assignment]
        try:
            samples, _ = samples_of(render("29468", rng=random.Random(seed)))
        finally:
            captcha_speech.clips = original
        heard = []
        for start, end in words_in(samples):
            middle = (end - start) // 5  # the word's middle: its edges are partly noise
            word = samples[start + middle : end - middle]
            crossings = sum(1 for a, b in zip(word, word[1:], strict=False) if (a < 0) != (b < 0))
            frequency = crossings / 2 / (len(word) / RATE)
            heard.append(min(pitch, key=lambda n: abs(math.log(pitch[n] / frequency))))
        heard_all.append(heard)
    expected = ["intro", *"29468", "again", *"29468"]
    assert heard_all == [expected] * 5


@pytest.mark.parametrize("language", captcha_speech.LANGUAGES)
def test_real_clips_are_heard_as_twelve_separate_words(language):
    """The pauses between words stand out from the noise: a listener hears twelve
    words (seeded renderings, so the test says the same each time)."""
    for seed in range(6):
        samples, _params = samples_of(render("83475", language=language, rng=random.Random(seed)))
        assert len(words_in(samples)) == 12, (language, seed)


def test_only_digits_are_spoken():
    with pytest.raises(ValueError):
        render("12a45")
    with pytest.raises(ValueError):
        render("۱۲۳۴۵")  # the store keeps ASCII digits; anything else is a bug upstream
