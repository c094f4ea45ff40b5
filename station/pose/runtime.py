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


@dataclass
class LoadedModel:
    interpreter: Any
    runtime: str
    threads: int


def default_threads() -> int:
    return os.cpu_count() or 1


def load_interpreter(
    model_path: Path, threads: int | None = None, runtimes: tuple[tuple[str, str], ...] = RUNTIMES
) -> LoadedModel:
    """Build and allocate an interpreter for `model_path` with the first runtime that works."""
    threads = threads or default_threads()
    problems: list[str] = []
    for name, module_name in runtimes:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            problems.append(f"{name} is not installed")
            continue
        try:
            interpreter = module.Interpreter(model_path=str(model_path), num_threads=threads)
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
