"""Load a TFLite interpreter: LiteRT first, tflite-runtime only where LiteRT is missing.

tflite-runtime 2.14 imports under numpy 2 but fails when the interpreter is built, so
the fallback is tried as a whole (import and build) and its failure is reported, not raised.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station.errors import StationError

# (name shown to the user, module holding `Interpreter`)
RUNTIMES: tuple[tuple[str, str], ...] = (
    ("LiteRT (ai-edge-litert)", "ai_edge_litert.interpreter"),
    ("tflite-runtime", "tflite_runtime.interpreter"),
)


# Which int8 kernels run the model. They round differently (XNNPACK's, the built-in optimised ones
# and the reference ones each move keypoints by a few pixels, more where the crop follows):
# `station calibrate --kernels` measures what that does to the calls. XNNPACK's and the reference
# ones give the same keypoints on x86 and ARM for the same crop (measured, issue 18); the built-in
# ones do not.
KERNELS = {
    "auto": None,  # LiteRT's default: XNNPACK (the fast one; what the kiosk runs)
    "builtin": "BUILTIN_WITHOUT_DEFAULT_DELEGATES",  # the built-in optimised kernels, no XNNPACK
    "reference": "BUILTIN_REF",  # the reference kernels: slow (about 25 times), for checks only
}


@dataclass
class LoadedModel:
    interpreter: Any
    runtime: str
    threads: int


def default_threads() -> int:
    return os.cpu_count() or 1


def load_interpreter(
    model_path: Path, threads: int | None = None, runtimes: tuple[tuple[str, str], ...] = RUNTIMES,
    kernels: str = "auto",
) -> LoadedModel:  # fmt: skip
    """Build and allocate an interpreter for `model_path` with the first runtime that works."""
    if kernels not in KERNELS:
        raise StationError(f"The pose kernels must be one of {', '.join(KERNELS)}, not '{kernels}'.")
    threads = threads or default_threads()
    problems: list[str] = []
    for name, module_name in runtimes:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            problems.append(f"{name} is not installed")
            continue
        try:
            extra = {}
            if KERNELS[kernels] is not None:
                extra["experimental_op_resolver_type"] = getattr(module.OpResolverType, KERNELS[kernels])
            interpreter = module.Interpreter(model_path=str(model_path), num_threads=threads, **extra)
            interpreter.allocate_tensors()
        except ValueError as exc:
            if "model" in str(exc).lower():
                raise StationError(f"The pose model at {model_path} cannot be loaded: {exc}.") from exc
            problems.append(f"{name} failed to start ({exc})")
            continue
        except Exception as exc:
            problems.append(f"{name} failed to start ({type(exc).__name__}: {exc})")
            continue
        return LoadedModel(interpreter, name, threads)
    raise StationError("No TFLite runtime could run the pose model: " + "; ".join(problems) + ".")
