import sys
import types

import pytest

from station.edges.pose.model import MODEL_FILE
from station.edges.pose.runtime import RUNTIMES, default_threads, load_interpreter
from station.errors import StationError
from tests.conftest import shared_path


class _Builds:
    def __init__(self, model_path: str, num_threads: int) -> None:
        self.model_path, self.num_threads = model_path, num_threads

    def allocate_tensors(self) -> None:
        pass


class _BreaksLikeTflite214UnderNumpy2:
    def __init__(self, model_path: str, num_threads: int) -> None:
        raise AttributeError("_ARRAY_API not found")


def _fake_module(monkeypatch, name: str, cls: type) -> None:
    monkeypatch.setitem(sys.modules, name, types.SimpleNamespace(Interpreter=cls))


def test_litert_is_preferred_and_threads_default_to_all_cores():
    loaded = load_interpreter(shared_path("models", MODEL_FILE))
    assert loaded.runtime == RUNTIMES[0][0]
    assert loaded.threads == default_threads()


def test_threads_are_configurable():
    assert load_interpreter(shared_path("models", MODEL_FILE), threads=1).threads == 1


def test_falls_back_when_litert_is_missing(monkeypatch, tmp_path):
    _fake_module(monkeypatch, "fake_tflite", _Builds)
    loaded = load_interpreter(
        tmp_path / "m.tflite", 3, (("LiteRT", "no_such_module_xyz"), ("tflite-runtime", "fake_tflite"))
    )
    assert loaded.runtime == "tflite-runtime" and loaded.interpreter.num_threads == 3


def test_a_fallback_that_breaks_on_build_is_reported_not_raised(monkeypatch, tmp_path):
    _fake_module(monkeypatch, "fake_tflite", _BreaksLikeTflite214UnderNumpy2)
    with pytest.raises(StationError) as err:
        load_interpreter(
            tmp_path / "m.tflite", 1, (("LiteRT", "no_such_module_xyz"), ("tflite-runtime", "fake_tflite"))
        )
    message = str(err.value)
    assert "LiteRT is not installed" in message and "tflite-runtime failed to start" in message
    assert "\n" not in message


def test_a_corrupt_model_is_one_sentence(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a flatbuffer at all" * 10)
    with pytest.raises(StationError, match=r"cannot be loaded|No TFLite runtime"):
        load_interpreter(bad)


def test_other_int8_kernels_load_and_round_differently_and_a_wrong_name_is_one_sentence():
    """The kernels an ARM Pi runs round differently from these; `builtin` and `reference` give the
    same model other kernels here, so the calibration can measure what that moves (docs/figures.md)."""
    import cv2
    import numpy as np

    model = shared_path("models", MODEL_FILE)
    still = cv2.imread(str(shared_path("stills", "standing_man.jpeg")))
    side = max(still.shape[:2])
    square = cv2.copyMakeBorder(still, 0, side - still.shape[0], 0, side - still.shape[1], cv2.BORDER_CONSTANT)
    image = cv2.cvtColor(cv2.resize(square, (192, 192), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)[None]
    outputs = {}
    for kernels in ("auto", "builtin"):
        it = load_interpreter(model, 1, kernels=kernels).interpreter
        it.set_tensor(it.get_input_details()[0]["index"], image.astype(it.get_input_details()[0]["dtype"]))
        it.invoke()
        outputs[kernels] = it.get_tensor(it.get_output_details()[0]["index"]).copy()
    assert outputs["auto"].shape == outputs["builtin"].shape == (1, 1, 17, 3)
    sure = outputs["auto"][0, 0, :, 2] >= 0.3
    moved = np.abs(outputs["auto"] - outputs["builtin"])[0, 0, sure, :2]
    assert sure.sum() >= 12 and moved.max() < 0.03  # the same person, within a few of 192 pixels ...
    assert moved.max() > 0  # ... but not the same numbers
    with pytest.raises(StationError, match="must be one of auto, builtin, reference"):
        load_interpreter(model, 1, kernels="fastest")
