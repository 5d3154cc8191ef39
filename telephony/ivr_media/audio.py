"""WAV files turned into the one format VOS plays (manual 2.71 ModifyIvrAudioData):
PCM signed, 8000 Hz, 16 bit, mono, little-endian, sent as a whole WAV file in hex.

Accepted: uncompressed PCM WAV (format 1, or WAVE_FORMAT_EXTENSIBLE with a PCM
subformat) of 8, 16, 24 or 32 bits, any sample rate, any number of channels. The RIFF
chunks are read here rather than with ``wave``, whose Python 3.11 version refuses the
extensible header most 24-bit and multichannel files carry. The conversion is exact
and documented, so tests can predict every byte VOS receives:

- 8-bit samples are unsigned: ``(b - 128) << 8``; 24- and 32-bit samples keep their
  two most significant bytes (the low bits are dropped, i.e. rounded down).
- Channels are mixed to mono by their mean, rounded down: ``sum(channels) // n``.
- A higher rate is brought down by averaging the source samples each output sample
  covers (output k covers source samples floor(k*r) .. floor((k+1)*r) - 1, r =
  rate / 8000, mean rounded down): a box filter, so high frequencies fold back far
  less than with simple dropping. A lower rate is brought up by linear interpolation
  between neighbours (rounded down). 8000 Hz is copied as is.
"""

from __future__ import annotations

import io
import struct
import sys
import wave
from array import array
from dataclasses import dataclass
from itertools import accumulate

from django.utils.translation import gettext as _

TARGET_RATE = 8000


_PCM = 1


_EXTENSIBLE = 0xFFFE


class AudioRefused(ValueError):
    """The file cannot become an IVR audio; the message says why, in words."""


@dataclass(frozen=True)
class ConvertedAudio:
    wav: bytes  # the whole WAV file VOS gets (header + frames)
    frames: int
    source_rate: int
    source_bits: int
    source_channels: int

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // TARGET_RATE

    @property
    def hex(self) -> str:
        return self.wav.hex()


def _chunks(data: bytes):
    """(chunk id, body) of a RIFF/WAVE file, in order."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioRefused(_("This is not a WAV file."))
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        body = data[offset + 8 : offset + 8 + size]  # a streamed file may overstate size
        yield chunk_id, body
        offset += 8 + size + (size & 1)


def _format(fmt: bytes) -> tuple[int, int, int]:
    """(rate, bits per sample, channels) of a PCM fmt chunk; refuses anything else."""
    if len(fmt) < 16:
        raise AudioRefused(_("The WAV file's format header is damaged."))
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        (tag,) = struct.unpack_from("<H", fmt, 24)  # the subformat GUID's first two bytes
    if tag != _PCM:
        raise AudioRefused(
            _(
                "This WAV file is compressed or not integer PCM (format %(tag)s); "
                "save it as uncompressed PCM and try again."
            )
            % {"tag": tag}
        )
    if bits not in (8, 16, 24, 32) or block_align != channels * bits // 8:
        raise AudioRefused(
            _("Only 8, 16, 24 or 32-bit PCM WAV files are accepted (this one: %(bits)s bit).")
            % {"bits": bits}
        )
    if channels < 1 or not 1000 <= rate <= 384_000:
        raise AudioRefused(_("The WAV file's format header is damaged."))
    return rate, bits, channels


def _to_int16(frames: bytes, bits: int) -> array:
    """Interleaved samples as signed 16-bit values."""
    width = bits // 8
    if bits == 8:
        return array("h", ((b - 128) << 8 for b in frames))
    if bits == 16:
        high = frames
    else:
        # The two most significant bytes of each little-endian sample.
        high = bytearray(len(frames) // width * 2)
        high[0::2] = frames[width - 2 :: width]
        high[1::2] = frames[width - 1 :: width]
    samples = array("h")
    samples.frombytes(bytes(high))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _mono(samples: array, channels: int) -> list[int]:
    if channels == 1:
        return samples.tolist()
    lanes = [samples[c::channels] for c in range(channels)]
    return [sum(frame) // channels for frame in zip(*lanes, strict=True)]


def _resample(samples: list[int], rate: int) -> list[int]:
    count = len(samples) * TARGET_RATE // rate
    if rate == TARGET_RATE:
        return samples
    if rate > TARGET_RATE:
        sums = [0, *accumulate(samples)]
        out = []
        for k in range(count):
            start = k * rate // TARGET_RATE
            stop = max((k + 1) * rate // TARGET_RATE, start + 1)
            out.append((sums[stop] - sums[start]) // (stop - start))
        return out
    last = len(samples) - 1
    out = []
    for k in range(count):
        index, fraction = divmod(k * rate, TARGET_RATE)
        here = samples[index]
        there = samples[min(index + 1, last)]
        out.append(here + (there - here) * fraction // TARGET_RATE)
    return out


def convert(data: bytes, *, max_seconds: int) -> ConvertedAudio:
    """The WAV file ``data`` as VOS wants it; AudioRefused (nothing converted) otherwise."""
    if not data:
        raise AudioRefused(_("The file is empty."))
    fmt = frames = None
    for chunk_id, body in _chunks(data):
        if chunk_id == b"fmt " and fmt is None:
            fmt = body
        elif chunk_id == b"data" and frames is None:
            frames = body
    if fmt is None or frames is None:
        raise AudioRefused(_("The WAV file has no format or no sound data."))
    rate, bits, channels = _format(fmt)
    block = channels * bits // 8
    frames = frames[: len(frames) - len(frames) % block]
    if not frames:
        raise AudioRefused(_("The WAV file holds no sound."))
    if len(frames) // block > max_seconds * rate:
        raise AudioRefused(
            _("The sound is longer than %(minutes)s minutes; shorten it and try again.")
            % {"minutes": f"{max_seconds / 60:g}"}
        )
    mono = _resample(_mono(_to_int16(frames, bits), channels), rate)
    if not mono:
        raise AudioRefused(_("The WAV file holds no sound."))
    pcm = array("h", mono)
    if sys.byteorder == "big":
        pcm.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(TARGET_RATE)
        sound.writeframes(pcm.tobytes())
    return ConvertedAudio(
        wav=out.getvalue(),
        frames=len(mono),
        source_rate=rate,
        source_bits=bits,
        source_channels=channels,
    )
