"""The package's import graph, read from the source with `ast`: no circles, and no folder reaching up.

Every import counts, the lazy ones inside functions too: a lazy import hides a circle from Python's
loader, not from the next engineer. The layers, lowest first, are the folders of docs/design.md.
"""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "station"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The package's modules `path` imports, anywhere in the file (`from a import b` counts as a.b
    where b is a module, else as a)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    return {name: imports_of(path, known) - {name} for name, path in files.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_circle_finder_finds_a_circle_and_only_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_the_package_imports_itself_round_a_circle():
    assert circles(graph()) == []


def test_the_sync_command_loads_no_video_image_or_screen_library():
    """`station sync` runs on a stripped-down service: OpenCV, pygame and PyAV cost it seconds and memory."""
    code = "import sys; from station.__main__ import main\n"
    code += "try:\n    main(['sync', '--help'])\nexcept SystemExit:\n    pass\n"
    code += "print(' '.join(sorted(m for m in ('cv2', 'pygame', 'av', 'numpy') if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip().splitlines()[-1].split()
    assert not {"cv2", "pygame", "av"} & set(loaded)



# The layers, lowest first: a module imports only from its own layer or a lower one (docs/design.md).
LAYERS = (
    ("station.errors",),
    ("station.core",),
    ("station.edges",),
    ("station.fleet",),
    ("station.config", "station.compose", "station.app"),
    ("station.tools",),
    ("station.__main__",),
)


def layer_of(module: str) -> int:
    """The layer of `module`: its longest matching prefix's (the package itself sits at the bottom)."""
    if module == "station":
        return 0
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"{module} is in no layer: add its folder to LAYERS and to docs/design.md")


def test_no_module_imports_from_a_layer_above_its_own():
    upward = sorted(f"{a} -> {b}" for a, deps in graph().items() for b in deps if layer_of(b) > layer_of(a))
    assert upward == []


def test_the_core_loads_no_screen_camera_or_gpio_library():
    """The core is plain data in and out: it must import on a machine with none of the edges' libraries."""
    code = "import sys, pkgutil, importlib, station.core as core\n"
    code += "for m in pkgutil.walk_packages(core.__path__, 'station.core.'):\n    importlib.import_module(m.name)\n"
    code += "edges = ('pygame', 'av', 'gpiozero', 'picamera2', 'ai_edge_litert')\n"
    code += "print(' '.join(sorted(m for m in edges if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
