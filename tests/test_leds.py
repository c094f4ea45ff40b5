from station.edges.gpio.leds import FaultLeds, LedSettings, NoLeds, open_leds


def test_leds_mirror_the_lamps(pins):
    factory = pins
    settings = LedSettings(enabled=True)
    leds = FaultLeds(settings, factory)
    leds.show({"back_rounding": True, "knees_forward": False})
    states = {f: factory.pin(settings.pins[f]).state for f in settings.pins}
    assert states["back_rounding"] == 1 and sum(states.values()) == 1
    leds.show({})
    assert all(factory.pin(p).state == 0 for p in settings.pins.values())
    leds.close()


def test_disabled_leds_or_no_gpio_give_the_stand_in_that_lights_nothing(monkeypatch):
    assert isinstance(open_leds(LedSettings(enabled=False)), NoLeds)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "nonesuch")  # enabled, but no pin library here
    from gpiozero import Device

    monkeypatch.setattr(Device, "pin_factory", None)  # chosen afresh from the environment, whatever ran before
    leds = open_leds(LedSettings(enabled=True))
    assert isinstance(leds, NoLeds)
    leds.show({"back_rounding": True})
    leds.close()
