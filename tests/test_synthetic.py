import pytest

from station.edges.camera.pick import open_source
from station.edges.camera.synthetic import SyntheticSource
from station.edges.pose.pipeline import KnownPoses, needs_model
from station.errors import StationError


def test_frames_carry_truth_and_need_no_model():
    source = open_source("synthetic:deadlift:back_rounding")
    assert isinstance(source, SyntheticSource) and not needs_model(source)
    frame = next(iter(source.frames()))
    assert frame.truth is not None and frame.truth.shape == (17, 3)
    pose = KnownPoses().estimate(frame)
    assert pose.person and pose.size == (640, 480)


def test_demo_puts_the_fault_on_every_other_rep():
    source = SyntheticSource.from_spec("synthetic:rdl:knees_forward")
    assert source.athlete.faults_on(1).shin_extra_deg == 0
    assert source.athlete.faults_on(2).shin_extra_deg > 0


@pytest.mark.parametrize("spec", ["synthetic:squat", "synthetic:rdl:wobble"])
def test_bad_specs_are_one_sentence(spec):
    with pytest.raises(StationError):
        SyntheticSource.from_spec(spec)
