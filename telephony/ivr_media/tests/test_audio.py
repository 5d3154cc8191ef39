"""IVR audio pages (2.67-2.71) against the simulator: list, create, edit, delete, and
WAV uploads converted to PCM 8000 Hz, 16 bit, mono -- checked byte for byte on the
switch's side (simulator control action ``ivr_audio``)."""

from __future__ import annotations

import io
import struct
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from telephony.ivr_media import audio as converter

pytestmark = pytest.mark.django_db


def wav(frames: list[tuple[int, ...]] | list[int], *, rate=8000, bits=16, channels=1) -> bytes:
    """A PCM WAV file with these samples (ints for mono, tuples per frame otherwise)."""
    width = bits // 8
    raw = bytearray()
    for frame in frames:
        for sample in frame if isinstance(frame, tuple) else (frame,):
            if bits == 8:
                raw += bytes([sample])  # unsigned already
            else:
                raw += (sample & ((1 << bits) - 1)).to_bytes(width, "little")
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(channels)
        sound.setsampwidth(width)
        sound.setframerate(rate)
        sound.writeframes(bytes(raw))
    return out.getvalue()


def vos_wav(samples: list[int]) -> bytes:
    """What VOS must receive: these samples as an 8000 Hz, 16-bit mono WAV."""
    return wav(samples)


def extensible(data: bytes, *, subformat: int = 1) -> bytes:
    """The same WAV with a WAVE_FORMAT_EXTENSIBLE fmt chunk (as most 24-bit files have)."""
    channels, rate, byte_rate, align, bits = struct.unpack_from("<HIIHH", data, 22)
    guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, byte_rate, align, bits, 22, bits, 0)
    fmt += struct.pack("<H", subformat) + guid_tail
    frames = data[44:]
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.fixture
def admin(client):
    user = AdminFactory()
    client.force_login(user)
    return user


@pytest.fixture
def audio(vos_server, admin):
    """An IVR audio without sound, created in VOS: (server, id)."""
    from accounts.scope import Scope
    from switch import vos

    answer = vos.call(Scope(user=admin), vos_server, "CreateIvrAudio", {"type": 0, "name": "hello"})
    return vos_server, answer["id"]


@pytest.fixture
def vos_as_admin(admin):
    """Ask the simulator directly, as the platform (what VOS holds)."""
    from accounts.scope import Scope
    from switch import vos

    def call(server, endpoint, payload):
        return vos.call(Scope(user=admin), server, endpoint, payload)

    return call


def upload(client, server, audio_id, data: bytes, name="sound.wav"):
    url = reverse("ivr_audio_edit", args=[server.pk, 0, audio_id])
    return client.post(
        url, {"action": "upload", "sound": SimpleUploadedFile(name, data, "audio/wav")}
    )


def on_switch(portal_sim, audio_id) -> dict:
    return portal_sim.control("ivr_audio", id=audio_id)


# --- conversion, byte for byte on the switch ------------------------------------------------
CASES = {
    "16-bit 8000 Hz mono is sent as is": (
        wav([0, 1000, -1000, 32767, -32768]),
        [0, 1000, -1000, 32767, -32768],
    ),
    "stereo is mixed to the mean, rounded down": (
        wav([(100, 301), (-5, 2), (32767, 32767)], channels=2),
        [200, -2, 32767],
    ),
    "8-bit samples are unsigned": (wav([0, 128, 255], bits=8), [-32768, 0, 32512]),
    "24-bit samples keep their two high bytes": (
        wav([0x123456, -0x123456, 0x7FFFFF], bits=24),
        [0x1234, -0x1235, 0x7FFF],
    ),
    "32-bit samples keep their two high bytes": (
        wav([0x12345678, -0x12345678], bits=32),
        [0x1234, -0x1235],
    ),
    "16000 Hz is averaged pairwise": (wav([10, 20, -7, 0, 5], rate=16000), [15, -4]),
    "44100 Hz stereo is mixed then averaged over each output sample's span": (
        wav([(s, s) for s in range(0, 1103 * 4, 4)], rate=44100, channels=2),
        None,  # computed below
    ),
    "4000 Hz is interpolated linearly": (wav([0, 100], rate=4000), [0, 50, 100, 100]),
    "an extensible 24-bit header is read": (
        extensible(wav([0x010203, -0x010203], bits=24)),
        [0x0102, -0x0103],
    ),
}


def _box_average(samples, rate):
    out = []
    for k in range(len(samples) * 8000 // rate):
        start, stop = k * rate // 8000, (k + 1) * rate // 8000
        out.append(sum(samples[start:stop]) // (stop - start))
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_it_sends_vos_the_exact_converted_bytes(client, audio, portal_sim, case):
    server, audio_id = audio
    data, expected = CASES[case]
    if expected is None:
        expected = _box_average(list(range(0, 1103 * 4, 4)), 44100)
        assert len(expected) == 200
    response = upload(client, server, audio_id, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = on_switch(portal_sim, audio_id)
    assert stored["data"] == vos_wav(expected).hex()
    assert stored["size"] == len(vos_wav(expected))
    assert stored["durationMs"] == len(expected) * 1000 // 8000


def test_it_shows_the_size_vos_reports_after_an_upload(client, audio):
    server, audio_id = audio
    upload(client, server, audio_id, wav([1] * 8000))
    page = client.get(reverse("ivr_audio_list"), {"server": server.pk, "type": 0})
    assert str(len(vos_wav([1] * 8000))) in page.text


REFUSED = {
    "not a WAV": (b"ID3\x03\x00 an mp3 in disguise", "sound.wav", "not a WAV file"),
    "another extension": (wav([1, 2]), "sound.mp3", "Choose a WAV file"),
    "empty": (b"", "sound.wav", "empty"),
    "compressed": (
        wav([1, 2]).replace(b"fmt \x10\x00\x00\x00\x01\x00", b"fmt \x10\x00\x00\x00\x02\x00"),
        "sound.wav",
        "compressed",
    ),
    "float": (extensible(wav([1, 2]), subformat=3), "sound.wav", "compressed"),
    "no sound": (wav([]), "sound.wav", "no sound"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_it_refuses_a_bad_file_on_the_form_and_sends_nothing(client, audio, portal_sim, case):
    server, audio_id = audio
    data, name, words = REFUSED[case]
    response = upload(client, server, audio_id, data, name)
    assert response.status_code == 200
    assert words in response.text
    assert portal_sim.control("stats")["requests"].get("ModifyIvrAudioData", 0) == 0
    assert on_switch(portal_sim, audio_id)["size"] == 0


def test_it_refuses_an_oversized_file(client, audio, portal_sim, settings):
    settings.IVR_AUDIO_MAX_UPLOAD_BYTES = 1000
    server, audio_id = audio
    response = upload(client, server, audio_id, wav([0] * 1000))
    assert "larger than" in response.text
    assert portal_sim.control("stats")["requests"].get("ModifyIvrAudioData", 0) == 0


def test_it_refuses_a_sound_longer_than_allowed(client, audio, portal_sim, settings):
    settings.IVR_AUDIO_MAX_SECONDS = 1
    server, audio_id = audio
    response = upload(client, server, audio_id, wav([0] * 8001))
    assert "longer than" in response.text
    assert portal_sim.control("stats")["requests"].get("ModifyIvrAudioData", 0) == 0


def test_it_records_the_upload_in_the_audit_by_size_and_hash_only(client, audio):
    server, audio_id = audio
    upload(client, server, audio_id, wav([7] * 4000))
    event = AuditEvent.objects.get(vos_endpoint="ModifyIvrAudioData")
    assert event.result == "ok"
    assert event.payload["id"] == audio_id
    assert event.payload["data"].startswith(f"[{len(vos_wav([7] * 4000)) * 2} characters, sha256 ")


def test_it_converts_a_minute_of_cd_quality_stereo():
    """A minute of 44.1 kHz stereo, the size of a typical prompt recorded on a PC."""
    data = wav([(i % 200, -(i % 200)) for i in range(44100 * 60)], rate=44100, channels=2)
    converted = converter.convert(data, max_seconds=300)
    assert converted.frames == 8000 * 60
    assert converted.duration_ms == 60_000


def test_it_reads_past_other_chunks_and_an_overstated_data_size():
    plain = wav([1, 2, 3])
    frames = plain[44:]
    odd_chunk = b"LIST" + struct.pack("<I", 3) + b"abc" + b"\x00"  # padded to even
    streamed = b"data" + struct.pack("<I", 0xFFFFFFFF) + frames  # size unknown when written
    body = b"WAVE" + plain[12:36] + odd_chunk + streamed
    data = b"RIFF" + struct.pack("<I", len(body)) + body
    assert converter.convert(data, max_seconds=10).wav == plain


def test_it_drops_a_trailing_partial_frame():
    plain = wav([(1, 3), (5, 7)], channels=2)
    frames = plain[44:] + b"\x09\x00"  # half a stereo frame
    body = plain[8:40] + struct.pack("<I", len(frames)) + frames
    data = b"RIFF" + struct.pack("<I", len(body)) + body
    assert converter.convert(data, max_seconds=10).wav == vos_wav([2, 6])


# --- the pages ---------------------------------------------------------------------------
def test_it_creates_an_audio_with_its_sound_and_lists_it(client, vos_server, admin, portal_sim):
    response = client.post(
        reverse("ivr_audio_create"),
        {
            "server": vos_server.pk,
            "type": 4,
            "name": "greeting",
            "language": "en",
            "memo": "front desk",
            "sound": SimpleUploadedFile("g.wav", wav([5, 6, 7]), "audio/wav"),
        },
    )
    assert response.status_code == 302
    audio_id = int(response["Location"].rstrip("/").split("/")[-1])
    assert response["Location"] == reverse("ivr_audio_edit", args=[vos_server.pk, 4, audio_id])
    assert on_switch(portal_sim, audio_id)["data"] == vos_wav([5, 6, 7]).hex()
    listing = client.get(reverse("ivr_audio_list"), {"server": vos_server.pk, "type": 4})
    assert "greeting" in listing.text and "front desk" in listing.text
    assert "greeting" not in client.get(reverse("ivr_audio_list")).text  # type 0 by default


def test_it_leaves_no_audio_behind_when_vos_refuses_the_sound(
    client, vos_server, admin, portal_sim
):
    portal_sim.control("fault", endpoint="ModifyIvrAudioData", mode="http500")
    response = client.post(
        reverse("ivr_audio_create"),
        {
            "server": vos_server.pk,
            "type": 0,
            "name": "broken",
            "sound": SimpleUploadedFile("b.wav", wav([1, 2]), "audio/wav"),
        },
    )
    assert response.status_code == 200
    assert "form-errors" in response.text
    assert "127.0.0.1" not in response.text
    listing = client.get(reverse("ivr_audio_list"), {"server": vos_server.pk, "type": 0})
    assert "broken" not in listing.text


def test_it_shows_a_duplicate_name_on_the_form(client, audio):
    server, _audio_id = audio
    response = client.post(
        reverse("ivr_audio_create"), {"server": server.pk, "type": 0, "name": "hello"}
    )
    assert response.status_code == 200
    assert "The switch refused the request" in response.text


def test_it_edits_an_audio_and_clears_a_field(client, audio, vos_as_admin):
    server, audio_id = audio
    url = reverse("ivr_audio_edit", args=[server.pk, 0, audio_id])
    assert "hello" in client.get(url).text
    client.post(url, {"action": "save", "language": "fr", "memo": "note"})
    info = vos_as_admin(server, "GetIvrAudio", {"type": 0})["infoIvrAudios"][0]
    assert (info["language"], info["memo"]) == ("fr", "note")
    client.post(url, {"action": "save", "language": "fr", "memo": ""})
    info = vos_as_admin(server, "GetIvrAudio", {"type": 0})["infoIvrAudios"][0]
    assert info.get("memo") in ("", None)


def test_it_answers_404_for_an_audio_vos_does_not_have(client, audio):
    server, audio_id = audio
    assert (
        client.get(reverse("ivr_audio_edit", args=[server.pk, 0, audio_id + 50])).status_code == 404
    )


def test_it_deletes_an_audio_after_confirmation_or_by_htmx(client, audio, vos_as_admin):
    server, audio_id = audio
    url = reverse("ivr_audio_delete", args=[server.pk, 0, audio_id])
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'name="confirm" value="yes"' in confirm.text
    assert client.post(url, {}).status_code == 200  # a bare POST only asks again
    assert vos_as_admin(server, "GetIvrAudio", {"type": 0})["infoIvrAudios"]
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert vos_as_admin(server, "GetIvrAudio", {"type": 0})["infoIvrAudios"] == []
    again = client.post(url, {}, HTTP_HX_REQUEST="true")
    assert again["HX-Reswap"] == "none"  # VOS has it no more: said in a toast


def test_it_lets_auditors_read_but_not_change(client, audio):
    server, audio_id = audio
    client.force_login(UserFactory(tenant=AdminFactory().tenant, role=Role.PLATFORM_AUDITOR))
    edit = reverse("ivr_audio_edit", args=[server.pk, 0, audio_id])
    page = client.get(edit)
    assert page.status_code == 200 and "hello" in page.text and "Upload the sound" not in page.text
    assert client.get(reverse("ivr_audio_list")).status_code == 200
    assert client.post(edit, {"action": "save", "memo": "x"}).status_code == 404
    assert client.get(reverse("ivr_audio_create")).status_code == 404
    delete = reverse("ivr_audio_delete", args=[server.pk, 0, audio_id])
    assert client.post(delete, {"confirm": "yes"}).status_code == 404


def test_it_shows_an_unreachable_switch_in_words(client, audio, portal_sim):
    server, _audio_id = audio
    portal_sim.control("fault", endpoint="GetIvrAudio", mode="http500", count=5)
    page = client.get(reverse("ivr_audio_list"))
    assert page.status_code == 200 and "form-errors" in page.text
    assert server.base_url not in page.text and "127.0.0.1" not in page.text


def test_it_puts_a_failed_upload_on_the_upload_form(client, audio, portal_sim):
    server, audio_id = audio
    portal_sim.control("fault", endpoint="ModifyIvrAudioData", mode="http500")
    response = upload(client, server, audio_id, wav([1] * 800))
    assert response.status_code == 200
    assert response.context["upload_form"].non_field_errors()
    assert not response.context["form"].errors
