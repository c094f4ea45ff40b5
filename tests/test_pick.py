"""How a --source string picks its source: each kind to its reader, a bad one in one sentence."""

import os

import pytest

from station.edges.camera.pick import open_source
from station.edges.camera.still import StillSource
from station.edges.camera.synthetic import SyntheticSource
from station.errors import StationError
from tests.conftest import shared_path


def test_an_image_goes_to_the_still_reader_and_synthetic_to_the_athlete():
    assert isinstance(open_source(str(shared_path("stills", "tree_pose.jpeg"))), StillSource)
    assert isinstance(open_source("synthetic:rdl"), SyntheticSource)


def test_a_missing_file_a_folder_a_pipe_and_a_missing_live_clip_are_each_one_sentence(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    cases = [(tmp_path / "nope.mp4", "There is no file at"), (tmp_path, "is not a regular file"),
             (fifo, "is not a regular file"), (f"live:{tmp_path / 'nope.mp4'}", "to play as a camera")]  # fmt: skip
    for spec, said in cases:
        with pytest.raises(StationError, match=said):
            open_source(str(spec))
