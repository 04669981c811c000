"""The import graph: layers only import downwards, nothing loops, the libraries stay libraries.

Every import counts, including those inside functions (the shells import lazily for speed).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crm_tui", "campaigns", "evaluation")
# crm_tui's layers, lowest first; a module may import its own layer and those below it
LAYERS = {
    "crm_tui.errors": 0,
    "crm_tui.progress": 0,
    "crm_tui.language": 1,
    "crm_tui.io": 2,
    "crm_tui.engine": 3,
    "crm_tui.app": 4,
    "crm_tui.reports": 5,
    "crm_tui.cli": 6,
    "crm_tui.tui": 6,
}
# the command line's default command opens the app: the one place one shell starts the other
ENTRY = ("crm_tui.cli.tui", "crm_tui.tui.app")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    return {
        name: {m for m in imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def layer(module: str) -> int | None:
    return next((rank for prefix, rank in LAYERS.items() if module.startswith(prefix)), None)


def test_the_libraries_import_nothing_of_the_application() -> None:
    for module, deps in graph().items():
        if module.startswith(("campaigns", "evaluation")):
            assert not [d for d in deps if d.startswith("crm_tui")], module


def test_textual_only_under_the_tui() -> None:
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            if "textual" in {m.split(".")[0] for m in imports(path)}:
                assert module_name(path).startswith("crm_tui.tui"), path


def test_layers_import_only_downwards() -> None:
    upward = []
    for module, deps in graph().items():
        for dep in deps:
            own, other = layer(module), layer(dep)
            if own is None or other is None or (module, dep) == ENTRY:
                continue
            same_rank_other_shell = own == other and dep.split(".")[1] != module.split(".")[1]
            if other > own or same_rank_other_shell:
                upward.append(f"{module} -> {dep}")
    assert upward == []


def test_no_import_loops() -> None:
    edges = graph()
    packages = {m.rsplit(".", 1)[0] for m in edges}
    # `from pkg import module` names the module too; a package's own __init__ is not a loop
    edges = {m: {d for d in deps if d not in packages} for m, deps in edges.items()}
    state: dict[str, int] = {}
    loops: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                loops.append([*trail[trail.index(dep) :], dep] if dep in trail else [node, dep])
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert loops == []


@pytest.mark.parametrize("module", ["crm_tui.cli.main", "crm_tui.cli.segment"])
def test_the_command_line_does_not_load_textual(module: str) -> None:
    import subprocess
    import sys

    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_app_opens_without_scipy() -> None:
    """SciPy costs a fifth of a second to import: the statistics and the models load when an
    evaluation or a fit runs, not before the first screen."""
    import subprocess
    import sys

    code = "import sys, crm_tui.tui.app; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_command_line_parses_without_scipy() -> None:
    """Every command builds the whole parser first: what that imports, every command pays for
    (scipy.special, for the names of the sequential methods, was a quarter of a second)."""
    import subprocess
    import sys

    code = (
        "import sys; from crm_tui.cli.main import build_parser; build_parser(); "
        "print('scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def test_only_the_command_line_speaks_of_flags() -> None:
    """Libraries and the app name settings; only crm_tui.cli says which flag sets one."""
    speaking = []
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            if module_name(path).startswith("crm_tui.cli"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    speaking += [f"{path.name}: {m}" for m in FLAG.findall(node.value)]
    assert speaking == []
