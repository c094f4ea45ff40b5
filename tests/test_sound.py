import numpy as np

from station.edges.sound import RATE, SOUNDS, Silence, Sounds, SoundSettings, open_sounds, tone


def test_tones_are_short_stereo_and_as_loud_as_set():
    for notes in SOUNDS.values():
        wave = tone(notes, 0.5)
        assert wave.dtype == np.int16 and wave.shape[1] == 2
        assert wave.shape[0] / RATE < 0.6
        assert 0.3 * 32767 < np.abs(wave).max() <= 0.5 * 32767 * 0.8 + 1
    assert np.abs(tone(SOUNDS["rep"], 0.0)).max() == 0


def test_sound_off_is_the_silent_stand_in_which_remembers_what_it_would_have_played():
    for off in (SoundSettings(enabled=False), SoundSettings(volume=0.0)):
        muted = open_sounds(off)
        assert isinstance(muted, Silence)
        muted.play("rep")
        muted.play("end")
        assert list(muted.played) == ["rep", "end"]
    for _ in range(500):
        muted.play("rep")
    assert len(muted.played) == 100  # a kiosk runs for months: it keeps the recent ones only


def test_sound_on_is_the_mixer_with_each_tone_made_once():
    sounds = open_sounds(SoundSettings(volume=0.5))  # SDL's dummy audio driver: a real mixer, no speaker
    assert isinstance(sounds, Sounds) and set(sounds._sounds) == set(SOUNDS)
    sounds.play("end")
    sounds.play("no such sound")  # nothing, and no exception


def test_a_mixer_that_will_not_start_is_one_warning_with_the_reason(monkeypatch, caplog):
    import pygame

    def broken(**kwargs):
        raise pygame.error("ALSA: Couldn't open audio device: Permission denied")

    monkeypatch.setattr(pygame.mixer, "init", broken)
    with caplog.at_level("WARNING"):
        sounds = open_sounds(SoundSettings(volume=0.5))
    assert isinstance(sounds, Silence)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "Permission denied" in warnings[0].getMessage()
