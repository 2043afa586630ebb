"""The Excel functions through xlwings' Office.js runtime, the code path of xlwings Lite and xlwings
Server: every function registers with its description and argument help, and computes from
arguments shaped as Office.js sends them the same results as the classic add-in for the shared
cases (udf_cases.py and test_bad_inputs.UDF_CASES); bad input becomes an Excel error there.

xlwings Lite and Server set XLWINGS_ON_SERVER=true before they import xlwings; xlwings' free
noncommercial key unlocks `xlwings.server` for the test (shared/EXCEL_NOTES.md).
"""

import asyncio
import datetime as dt
import importlib
import importlib.util
import inspect
import math
import subprocess
import sys
from types import SimpleNamespace

import pytest

import partnerfit
from partnerfit import functions, udfs
from test_bad_inputs import UDF_CASES
from udf_cases import BAD, PUBLISHED, WORKED

ENVIRONMENT = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
FUNCTIONS = sorted(name for name, f in vars(udfs).items() if inspect.isfunction(f) and name.isupper())


def _xlwings_modules() -> dict:
    return {name: m for name, m in sys.modules.items() if name == "xlwings" or name.startswith("xlwings.")}


def fresh_udfs():
    """A new copy of partnerfit.udfs, registered as the runtime of the moment decides (the shared
    partnerfit.functions beneath it)."""
    spec = importlib.util.find_spec("partnerfit.udfs")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def officejs():
    """xlwings and partnerfit.udfs imported as xlwings Lite and Server import them (XLWINGS_ON_SERVER
    set first, so that xlwings' decorators register the functions for Office.js), apart from the
    copies the other tests use, which are put back afterwards."""
    saved = _xlwings_modules()
    with pytest.MonkeyPatch.context() as env:
        for key, value in ENVIRONMENT.items():
            env.setenv(key, value)
        for name in saved:
            del sys.modules[name]
        try:
            xlwings = importlib.import_module("xlwings")
            server = importlib.import_module("xlwings.server")
            module = fresh_udfs()
        finally:
            for name in _xlwings_modules():
                del sys.modules[name]
            sys.modules.update(saved)
    assert xlwings.on_server and not hasattr(udfs.VENDOR_RANKING, "__xlfunc__")
    return SimpleNamespace(xlwings=xlwings, server=server, udfs=module)


@pytest.fixture
def call(officejs, monkeypatch):
    """Call a function as Office.js does, in this test's Office.js environment."""

    def run(name: str, *args):
        for key, value in ENVIRONMENT.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setitem(sys.modules, "xlwings", officejs.xlwings)  # the one xlwings of Lite or Server
        data = {"func_name": name, "args": list(args), "version": officejs.xlwings.__version__,
                "client": "Office.js", "runtime": "1.4", "culture_info_name": "en-US", "date_format": "M/d/yyyy",
                "caller_address": "[Book1.xlsx]Sheet1!A1", "formula_name": name}
        return asyncio.run(officejs.server.custom_functions_call(data, officejs.udfs))

    return run


# ---------------------------------------------------------------- registration


def test_every_function_registers_with_its_help(officejs):
    meta = officejs.server.custom_functions_meta(officejs.udfs)["functions"]
    assert sorted(f["name"] for f in meta) == FUNCTIONS
    for entry in meta:
        function = getattr(udfs, entry["name"])
        assert entry["id"] == entry["name"] and entry["description"] == function.__doc__
        parameters = inspect.signature(function).parameters.values()
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in parameters]
        for registered, parameter in zip(entry["parameters"], parameters, strict=True):
            assert len(registered["description"]) >= 10, (entry["name"], parameter.name)
            assert registered.get("optional", False) == (parameter.default is not inspect.Parameter.empty)
    help_of = {(f["name"], p["name"]): p["description"] for f in meta for p in f["parameters"]}
    assert help_of["PARTNER_FIT", "stage"] == udfs._STAGE_DOC
    assert help_of["VENDOR_RANKING", "min_coverage"] == udfs._COVERAGE_DOC
    assert help_of["ROBUSTNESS", "samples"] == udfs._SAMPLES_DOC


# ---------------------------------------------------------------- the same results as the classic path

CELL = (type(None), bool, int, float, str, dt.datetime)


def sent(value):
    """A cell value as Office.js sends it (JSON written by JavaScript): a date as its serial number,
    a whole number as an int; NaN and infinity cannot be sent (null)."""
    if isinstance(value, dt.datetime):
        value = (value - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)
    if isinstance(value, float):
        return (int(value) if value.is_integer() else value) if math.isfinite(value) else None
    return value


def as_range(argument):
    """The argument as the Excel range that holds it (a rectangle of cells), or None if none can."""
    if isinstance(argument, CELL):
        return [[argument]]
    rows = [argument] if argument and all(isinstance(v, CELL) for v in argument) else argument
    if rows and all(isinstance(r, (list, tuple)) and r and len(r) == len(rows[0]) for r in rows) and all(
            isinstance(v, CELL) for r in rows for v in r):
        return [[sent(v) for v in r] for r in rows]
    return None


def classic(block, ndim):
    """What the classic add-in hands a UDF for this range: floats; a scalar for one cell and a flat
    list for one row or column unless the argument is declared ndim=2 (shared/EXCEL_NOTES.md)."""
    block = [[float(v) if type(v) is int else v for v in row] for row in block]
    if ndim == 2:
        return block
    if len(block) == 1 and len(block[0]) == 1:
        return block[0][0]
    if len(block) == 1 or len(block[0]) == 1:
        return [v for row in block for v in row]
    return block


def cases():
    tables = [("udf_cases", c[:3]) for c in PUBLISHED + WORKED + BAD]
    tables += [("test_bad_inputs", (c[0], c[1].__name__, c[2])) for c in UDF_CASES]
    for table, (name, function, args) in tables:
        ranges = [None if a is None else as_range(a) for a in args]
        marks = () if all(a is None or r is not None for a, r in zip(args, ranges)) else pytest.mark.skip(
            reason="no Excel range holds these arguments (empty, ragged, mixed or a list in a cell)")
        yield pytest.param(function, ranges, id=f"{table}: {name}", marks=marks)


def same(got, want) -> bool:
    if isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    return type(got) is type(want) and got == want


@pytest.mark.parametrize("name, ranges", list(cases()))
def test_same_results_as_the_classic_add_in(officejs, call, name, ranges):
    declared = officejs.udfs.__dict__[name].__xlfunc__["args"]
    if declared and declared[-1]["vararg"]:  # a repeating parameter (AHP_AGGREGATE): its ranges in one list
        args, sent = [classic(r, declared[-1]["options"].get("ndim")) for r in ranges], [ranges]
    else:
        ranges = ranges + [None] * (len(declared) - len(ranges))  # Office.js sends an omitted argument as null
        args = [None if r is None else classic(r, a["options"].get("ndim")) for r, a in zip(ranges, declared)]
        sent = ranges
    expected = getattr(udfs, name)(*args)  # before the test's Office.js environment is set
    if isinstance(expected, str) and expected.startswith("#partnerfit: "):
        with pytest.raises(officejs.xlwings.XlwingsError) as raised:
            call(name, *sent)
        assert str(raised.value) == expected[1:]  # "partnerfit: ..." on the #VALUE! error's flag
        return
    # Office.js gets a 2-D block: a scalar as one cell, a flat list as one row, None as empty.
    rows = expected if isinstance(expected, list) and expected and isinstance(expected[0], list) else (
        [expected] if isinstance(expected, list) else [[expected]])
    assert same(call(name, *sent), [["" if v is None else v for v in row] for row in rows])


def test_ahp_weights_with_groups(call):
    """AHP per level (the car example: groups compared, then criteria within each group) from
    Office.js-shaped ranges: blanks as None, the groups as a column."""
    from test_ahp_groups import CAR_CRITERIA, _car_block

    order, block, groups = _car_block()
    got = call("AHP_WEIGHTS", block, [[g] for g in groups], CAR_CRITERIA)
    want = udfs.AHP_WEIGHTS(block, groups, CAR_CRITERIA)
    assert [r[0] for r in got] == [r[0] for r in want] and got[0][1] == pytest.approx(0.2489, abs=1e-4)
    assert all(same(g, w) for (_, g), (_, w) in zip(got, want))


def test_the_case_tables_reach_office_js():
    params = list(cases())
    ran = [p for p in params if not p.marks]
    assert len(ran) >= 150 and len(params) - len(ran) <= 15
    assert {p.values[0] for p in ran} == set(FUNCTIONS)


# ---------------------------------------------------------------- which runtime: errors as Excel errors or as text


def test_an_unexpected_error_is_one_line_in_both_runtimes(officejs, call, monkeypatch):
    def boom(*args):
        raise RuntimeError("kaboom\nline two")

    monkeypatch.setattr(functions, "recommend", boom)
    assert udfs.PARTNER_FIT("Phase II", "clinical") == "#partnerfit: unexpected RuntimeError kaboom; please report it"
    with pytest.raises(officejs.xlwings.XlwingsError, match=r"^partnerfit: unexpected RuntimeError kaboom; please"):
        call("PARTNER_FIT", [["Phase II"]], [["clinical"]], None, None, None)


def test_pyodide_means_office_js(monkeypatch):
    """xlwings Lite runs in Pyodide (sys.platform "emscripten"), where no classic add-in exists."""
    import xlwings

    monkeypatch.delenv("XLWINGS_ON_SERVER", raising=False)
    assert not fresh_udfs().OFFICE_JS and not udfs.OFFICE_JS
    monkeypatch.setattr(sys, "platform", "emscripten")
    lite = fresh_udfs()
    with pytest.raises(xlwings.XlwingsError, match='^partnerfit: stage "Phase 9" is not one of'):
        lite.PARTNER_FIT("Phase 9", "clinical")
    assert lite.PARTNER_FIT("Phase II", "clinical") == "CRO"  # good input is untouched
    assert lite.PARTNER_FIT.__doc__ == functions.PARTNER_FIT.__doc__  # Insert Function's description


def test_version_through_office_js(call):
    assert call("PARTNERFIT_VERSION") == [[partnerfit.__version__]]


def test_the_functions_need_nothing_pyodide_lacks():
    """xlwings Lite installs partnerfit into Pyodide without python-calamine and xlwings
    (pyproject.toml's markers; Lite brings its own xlwings): the Excel functions import and
    compute without them, and without openpyxl and XlsxWriter too."""
    code = """if True:
        import sys
        class Refuse:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in PYODIDE_LACKS:
                    raise ImportError(name)
        PYODIDE_LACKS = ("python_calamine", "openpyxl", "xlsxwriter")
        sys.meta_path.insert(0, Refuse())
        from partnerfit import functions, udfs
        print(udfs.VENDOR_SCORE([5.0, 4.0, 4.0, 3.0, 4.0], [30.0, 25.0, 20.0, 15.0, 10.0]))
        print(udfs.CONSENSUS([["Vendor", "Evaluator", "Criterion", "Score"], ["A", "x", "Q", 4.0]]))
    """
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["4.15", "[['Vendor', 'Q'], ['A', 4.0]]"]
