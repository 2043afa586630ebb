"""The Excel functions, fed exactly what Excel hands a UDF: floats, None, scalars, flat lists."""

import inspect
import math

import pytest

import partnerfit
from partnerfit import functions, udfs
from udf_cases import BAD, HEADER, PUBLISHED, S2, TABLE, WEIGHTS, WORKED


def no_nan(value):
    if isinstance(value, list):
        return all(no_nan(v) for v in value)
    return not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


@pytest.mark.parametrize("name, args, expected", [c[1:] for c in PUBLISHED + WORKED],
                         ids=[c[0] for c in PUBLISHED + WORKED])
def test_published_and_worked_cases(name, args, expected):
    result = getattr(udfs, name)(*args)
    assert result == (partnerfit.__version__ if name == "PARTNERFIT_VERSION" else expected)
    assert no_nan(result)


@pytest.mark.parametrize("name, args, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_one_short_line(name, args, fragments):
    result = getattr(udfs, name)(*args)
    assert isinstance(result, str) and result.startswith("#partnerfit: "), result
    assert "\n" not in result and "Traceback" not in result and "unexpected" not in result
    assert all(fragment in result for fragment in fragments), result


def test_partner_fit_why_names_the_deciding_scores():
    assert udfs.PARTNER_FIT_WHY(*S2).startswith("CMO: CMO fits 91")


def test_vendor_scores_matches_the_engine():
    import pandas as pd

    body = [row for row in TABLE[1:] if row[0]]
    frame = pd.DataFrame([r[1:] for r in body], index=[r[0] for r in body], columns=HEADER[1:], dtype=object)
    engine = partnerfit.score_vendors(frame, WEIGHTS).sort_values("rank", kind="stable")  # as the sheet lists them
    excel = udfs.VENDOR_RANKING(TABLE, WEIGHTS)
    assert [r[0] for r in excel[1:]] == list(engine.index)
    for row, (_, expected) in zip(excel[1:], engine.iterrows()):
        assert row[1] == pytest.approx(expected["score"])
        assert row[3] == pytest.approx(expected["coverage"])
        assert row[4] == expected["status"]


def test_vendor_scores_header_only_and_one_row_flat_list():
    assert udfs.VENDOR_RANKING(HEADER, WEIGHTS) == [udfs.RESULT_HEADER]  # 1-row table arrives flat
    assert udfs.VENDOR_RANKING([HEADER, [None] * 4], WEIGHTS) == [udfs.RESULT_HEADER]


def test_vendor_scores_trailing_blank_columns_are_ignored():
    table = [row + [None] for row in TABLE]
    assert udfs.VENDOR_RANKING(table, WEIGHTS) == udfs.VENDOR_RANKING(TABLE, WEIGHTS)


def test_unexpected_errors_never_show_a_traceback(monkeypatch):
    def boom(*args):
        raise RuntimeError("kaboom\nline two")

    monkeypatch.setattr(functions, "recommend", boom)
    result = udfs.PARTNER_FIT("Phase II", "clinical")
    assert result == "#partnerfit: unexpected RuntimeError kaboom; please report it"


def test_version_and_signatures_suit_xlwings():
    assert udfs.PARTNERFIT_VERSION() == partnerfit.__version__
    for name in ("PARTNER_FIT", "PARTNER_FIT_SCORES", "PARTNER_FIT_WHY", "VENDOR_SCORE", "VENDOR_RANKING"):
        function = getattr(udfs, name)
        parameters = inspect.signature(function).parameters.values()
        # xlwings refuses keyword-only arguments; "caller" would break xlwings Lite.
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters)
        assert "caller" not in inspect.signature(function).parameters
        assert function.__doc__ and len(function.__doc__) <= 255


def test_every_function_is_registered_with_each_argument_documented(monkeypatch):
    """partnerfit.udfs decorates each plain function of partnerfit.functions for xlwings: one
    xlwings.arg per parameter, by name, in order (xlwings' decorators do nothing off Windows, so
    they are recorded here)."""
    import importlib

    import xlwings

    registered = {}

    def arg(name, **options):
        def record(function):
            registered.setdefault(function.__name__, []).insert(0, (name, options))
            return function
        return record

    def func(**options):
        def record(function):
            assert options == {"category": "partnerfit"}
            registered.setdefault(function.__name__, [])
            return function
        return record

    monkeypatch.setattr(xlwings, "arg", arg)
    monkeypatch.setattr(xlwings, "func", func)
    try:
        module = importlib.reload(udfs)
        plain = {name for name in dir(functions) if name.isupper() and callable(getattr(functions, name))}
        assert set(registered) == plain
        for name in plain:
            assert getattr(module, name) is getattr(functions, name)
            parameters = list(inspect.signature(getattr(functions, name)).parameters)
            assert [a for a, _ in registered[name]] == parameters, name
            for a, options in registered[name]:
                assert 0 < len(options["doc"]) <= 255 and set(options) <= {"doc", "ndim"}, (name, a)
    finally:
        monkeypatch.undo()
        importlib.reload(udfs)
