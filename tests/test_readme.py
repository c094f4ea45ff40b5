"""The README documents every config key, and opens with the two commands."""

from dataclasses import fields

from station.config import _TABLES
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_config_key_is_documented_with_its_default():
    for table, cls in _TABLES.items():
        for f in fields(cls):
            assert f"`{table}.{f.name}`" in README, f"{table}.{f.name} is not in README.md"
    assert "`pose.threads`" in README


def test_the_two_commands_come_first():
    block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "./station.sh" in block and "./test.sh" in block
