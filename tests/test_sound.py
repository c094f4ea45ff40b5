import numpy as np

from station.edges.sound import RATE, SOUNDS, Sounds, SoundSettings, tone


def test_tones_are_short_stereo_and_as_loud_as_set():
    for notes in SOUNDS.values():
        wave = tone(notes, 0.5)
        assert wave.dtype == np.int16 and wave.shape[1] == 2
        assert wave.shape[0] / RATE < 0.6
        assert 0.3 * 32767 < np.abs(wave).max() <= 0.5 * 32767 * 0.8 + 1
    assert np.abs(tone(SOUNDS["rep"], 0.0)).max() == 0


def test_muted_sound_plays_nothing_and_never_fails():
    muted = Sounds(SoundSettings(enabled=False))
    assert not muted.enabled
    muted.play("rep")
    Sounds(SoundSettings(volume=0.5)).play("end")  # dummy audio driver or none: no exception


def test_a_mixer_that_will_not_start_is_one_warning_with_the_reason(monkeypatch, caplog):
    import pygame

    def broken(**kwargs):
        raise pygame.error("ALSA: Couldn't open audio device: Permission denied")

    monkeypatch.setattr(pygame.mixer, "init", broken)
    with caplog.at_level("WARNING"):
        sounds = Sounds(SoundSettings(volume=0.5))
    assert not sounds.enabled
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "Permission denied" in warnings[0].getMessage()
