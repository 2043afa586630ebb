"""The workbook package's imports run one way, and no module fakes another (sys.modules)."""

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "partnerfit"
ORDER = ("diligence", "layout", "model", "results", "formulas", "writer", "template", "reader", "check", "share")
"""partnerfit.workbook's modules: each may import only those before it."""
ENGINE = ("cells", "functions", "ahp", "consensus", "criteria", "domain", "errors", "example", "partner_fit",
          "pricing", "robustness", "scoring", "xlsx")


def _imports(path: Path) -> set[str]:
    """Module names (relative to partnerfit) that `path` imports, wherever in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            package = path.relative_to(SRC).parts[:-1]
            base = ".".join(package[: len(package) - node.level + 1])
            if node.module:
                found.add(".".join(filter(None, (base, node.module))))
            else:  # from . import xlsx
                found.update(".".join(filter(None, (base, a.name))) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("partnerfit"):
            found.add(node.module.removeprefix("partnerfit").lstrip("."))
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("partnerfit.") for a in node.names if a.name.startswith("partnerfit."))
    return found


def test_workbook_modules_import_only_earlier_ones():
    for k, name in enumerate(ORDER):
        imported = _imports(SRC / "workbook" / f"{name}.py")
        later = {f"workbook.{m}" for m in ORDER[k:]}
        assert not imported & later, f"workbook/{name}.py imports {sorted(imported & later)}"


def test_engine_never_imports_the_workbook_or_xlwings():
    for name in ENGINE:
        text = (SRC / f"{name}.py").read_text(encoding="utf-8")
        assert not any(m.startswith("workbook") or m == "udfs" for m in _imports(SRC / f"{name}.py")), name
        assert "xlwings" not in {n.split(".")[0] for n in _absolute_imports(text)}, name
    for path in (SRC / "workbook").glob("*.py"):
        assert not {"udfs"} & _imports(path) and "xlwings" not in _absolute_imports(path.read_text()), path.name


def test_no_module_fakes_another():
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"sys\.modules\[[^]]*\]\s*=|del sys\.modules|types\.ModuleType", text), path.name


def _absolute_imports(text: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add((node.module or "").split(".")[0])
    return found
