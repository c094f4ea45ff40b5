"""Find, verify and install the MoveNet model: a wrong or partial file is never kept or used."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

from station.edges.paths import data_dir, station_command
from station.errors import StationError

MODEL_FILE = "movenet_singlepose_lightning_int8_4.tflite"
MODEL_SHA256 = "cd7cc22fa946e5d146a7b98d496853e1923e22828d3972d579973f27f91bb105"
# The official TF Hub address (it redirects to Kaggle Models), then Google's storage mirror of it.
MODEL_URLS = (
    "https://tfhub.dev/google/lite-model/movenet/singlepose/lightning/tflite/int8/4?lite-format=tflite",
    "https://storage.googleapis.com/tfhub-lite-models/google/lite-model/movenet/singlepose/lightning/tflite/int8/4.tflite",
)
ENV_MODEL_DIR = "STATION_MODEL_DIR"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path) -> None:
    """Raise a one-sentence StationError unless `path` is the expected model, byte for byte."""
    if not path.is_file():
        raise StationError(f"The pose model is missing at {path}: run `{station_command()} model install`.")
    try:
        actual = sha256_of(path)
    except OSError as exc:
        raise StationError(f"The pose model at {path} cannot be read ({exc.strerror}).") from exc
    if actual != MODEL_SHA256:
        raise StationError(
            f"The pose model at {path} is damaged or the wrong file (SHA-256 {actual[:12]}...): "
            f"run `{station_command()} model install` again."
        )


def local_model(given: Path) -> Path:
    """The model file named by `--from` or STATION_MODEL_DIR: the file itself, or the folder holding it."""
    if given.is_dir():
        return given / MODEL_FILE
    if given.is_file():
        return given
    raise StationError(f"There is no model file or folder at {given}: name {MODEL_FILE} or the folder holding it.")


def installed_path() -> Path:
    return data_dir() / "models" / MODEL_FILE


def find_model() -> Path:
    """The verified model to load: the installed copy, else the one in STATION_MODEL_DIR (read only)."""
    try:
        installed: Path | None = installed_path()
    except StationError:
        installed = None  # the data folder is unusable: a model named by STATION_MODEL_DIR still works
    if installed is not None and installed.exists():
        verify(installed)
        return installed
    env_dir = os.environ.get(ENV_MODEL_DIR)
    if env_dir:
        candidate = local_model(Path(env_dir))
        verify(candidate)
        return candidate
    if installed is None:
        installed_path()  # says, in one sentence, why the data folder cannot be used
    raise StationError(f"The pose model is not installed at {installed}: run `{station_command()} model install`.")


def _fetch(url: str, out: Path) -> None:
    with urllib.request.urlopen(url, timeout=60) as response, open(out, "wb") as handle:
        shutil.copyfileobj(response, handle)


def install(
    from_dir: Path | None = None,
    dest: Path | None = None,
    fetch: Callable[[str, Path], None] = _fetch,
) -> Path:
    """Copy the model from `from_dir`, STATION_MODEL_DIR or the official address into `dest`.

    The file is written beside its destination under a temporary name, verified, then renamed
    into place, so a failed or interrupted install never leaves a bad model where one is looked for.
    The local folder it copies from is only read.
    """
    dest = dest or installed_path()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StationError(f"The model folder {dest.parent} cannot be made ({exc.strerror}).") from None
    if dest.exists():
        try:
            verify(dest)
            return dest
        except StationError:
            dest.unlink()
    source_dir = from_dir or (Path(os.environ[ENV_MODEL_DIR]) if os.environ.get(ENV_MODEL_DIR) else None)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".model-", suffix=".part", dir=dest.parent)
    except OSError as exc:
        raise StationError(
            f"The pose model cannot be written into {dest.parent} ({exc.strerror}): run the install as the "
            "folder's owner (sudo), or set STATION_DATA_DIR to a folder you may write."
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if source_dir is not None:
            source = local_model(Path(source_dir))
            verify(source)  # refuse a bad local copy before copying it anywhere
            shutil.copyfile(source, tmp)
            verify(tmp)
        else:
            errors = []
            for url in MODEL_URLS:
                try:
                    fetch(url, tmp)
                    verify(tmp)
                    break
                except (OSError, StationError) as exc:
                    errors.append(f"{url.split('/')[2]}: {exc}")
            else:
                raise StationError(
                    "The pose model could not be downloaded (" + "; ".join(errors) + "): "
                    f"copy {MODEL_FILE} (from a machine with internet) onto this one and run "
                    f"`{station_command()} model install --from THAT_FILE_OR_ITS_FOLDER`."
                )
        # Readable by everyone, whoever installs it: the kiosk runs as its own user.
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
        with contextlib.suppress(OSError):
            os.chmod(dest.parent, 0o755)
        return dest
    finally:
        tmp.unlink(missing_ok=True)
