"""Price scores from the quotes, abnormally low quotes, technical and total scores.

In a tender the price criterion is not judged: it is scored from the quotes by a formula
published in advance, and kept from the technical evaluators until they have scored. With
p_i vendor i's quote, the scale [bottom, top] = [1, 5] (`criteria.SCALE`) and blank quotes
left out of everything:

* **linear** (the default), between a low and a high price:

      score_i = top - (top - bottom) * (p_i - low) / (high - low),  clipped to [bottom, top]

  a quote at or below `low` scores 5, at or above `high` scores 1, a straight line between;
  `low` and `high` default to the lowest and the highest quote; low = high scores every
  quote 5 (price does not separate the vendors). With bounds the buyer sets before the quotes
  arrive the formula is **absolute**: a vendor's score depends on its own quote only. With the
  default bounds it depends on the lowest and highest quotes too.
* **ratio**, the "lowest price / price x points" formula, **relative**:

      score_i = max(bottom, top * (min_k p_k / p_i))

Relative formulas let one vendor's quote move every other vendor's score: a new low quote
shrinks the price differences between the others while their technical differences stay, and
can reverse their order (the "ranking paradox", dependence on irrelevant alternatives). Hence
the guidance to prefer absolute scoring between bounds published in advance: M. A. Bergman
and S. Lundberg, Tender evaluation and supplier selection methods in public procurement, J. of
Purchasing and Supply Management 19(2):73-83, 2013 (working paper: SSRN 1831143, 2011);
P. S. Stilger, J. Siderius and E. M. van Raaij, A comparative study of formulas for choosing
the economically most advantageous tender, J. of Public Procurement 17(1):88-124, 2017.

**Abnormally low quotes** are flagged below `share` (80 %) of the median quote:

      flag_i = p_i < share * median_k p_k

The flag changes no score. Directive 2014/24/EU art. 69 (and reg. 69 of the UK Public
Contracts Regulations 2015; Procurement Act 2023 guidance "Assessing competitive tenders")
sets no threshold: the buyer must ask the vendor to explain the price, and may reject the
quote only if the explanation does not account for it. The 80 % rule only says whom to ask.

Kernels (`linear_scores`, `ratio_scores`) take float arrays (NaN = no quote); `price_scores`
and `abnormally_low` read and check spreadsheet-shaped quotes; `technical_and_total` puts the
price scores into a vendor score table and scores it with `scoring.score_vendors`;
`method_check` says whether the choice of formula decides the leader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from .cells import number, score_matrix
from .criteria import SCALE
from .errors import PartnerfitError, show
from .scoring import _aligned, score_vendors

if TYPE_CHECKING:
    import pandas as pd

METHODS = ("linear", "ratio")

ABNORMALLY_LOW = 0.8
"""A quote below this share of the median quote is flagged as abnormally low."""

_FIX = "enter the quoted price as a number above 0, or leave the cell blank if there is no quote"


def linear_scores(prices: np.ndarray, low: float, high: float, scale: tuple[float, float] = SCALE) -> np.ndarray:
    """Linear price scores between `low` (scores top) and `high` (scores bottom), clipped to
    the scale; every quote scores top when low = high; NaN stays NaN (see the module docstring).

    The operations are those of the spreadsheet formula ``MAX(1, MIN(5, 5 - 4*(p-low)/(high-low)))``
    in the same order, so that both round alike.
    """
    bottom, top = scale
    prices = np.asarray(prices, dtype=float)
    if high == low:
        return np.where(np.isnan(prices), np.nan, top)
    return np.clip(top - (top - bottom) * (prices - low) / (high - low), bottom, top)


def ratio_scores(prices: np.ndarray, scale: tuple[float, float] = SCALE) -> np.ndarray:
    """Relative price scores top * (lowest / p), at least bottom; NaN stays NaN.

    lowest / p first, so that the lowest quote scores top exactly; the spreadsheet formula
    ``MAX(1, 5*(MIN(P)/p))`` takes the same steps.
    """
    bottom, top = scale
    prices = np.asarray(prices, dtype=float)
    lowest = np.fmin.reduce(prices, initial=np.inf)  # NaN-ignoring; inf with no quote (all NaN then)
    return np.maximum(top * (lowest / prices), bottom)


def _read_prices(prices) -> tuple[np.ndarray, object]:
    """Quotes as floats (NaN: no quote) and the vendor names (a pandas Index, or None for positions).

    Cells are read as score cells are (`cells.score_matrix`): None, NaN, blank text and "N/A"
    are no quote, numbers typed as text count; zero, negative, infinite and other text is refused.
    """
    import pandas as pd

    names = None
    if isinstance(prices, pd.Series):
        names = prices.index
        if prices.dtype.kind in "fiu":
            cells = prices.to_numpy(dtype=float, na_value=np.nan)
        else:  # None, NaN, pd.NA: no quote
            cells = prices.to_numpy(dtype=object, na_value=None)
    else:
        cells = prices if isinstance(prices, np.ndarray) else np.asarray(prices, dtype=object)
        if sum(n > 1 for n in cells.shape) > 1:
            raise PartnerfitError("prices must be one row or one column of quotes, not a block")
        cells = cells.reshape(-1)
    if cells.dtype.kind in "fiu":
        values, unreadable = cells.astype(float), np.zeros(len(cells), dtype=bool)
    else:
        values, unreadable = (row[0] for row in score_matrix(cells.reshape(1, -1)))
    with np.errstate(invalid="ignore"):
        invalid = unreadable | (values <= 0) | (values == np.inf)
    if invalid.any():
        i = int(invalid.argmax())
        where = f"price {i + 1}" if names is None else f"price for {show(names[i])}"
        if unreadable[i]:
            raise PartnerfitError(f"{where} is {show(cells[i])}, not a number; {_FIX}")
        raise PartnerfitError(f"{where} is {show(float(values[i]))}; {_FIX}")
    return values, names


def _wrapped(values: np.ndarray, names, like):
    """`values` as a Series like the Series `like` (when the prices came as one), else as they are."""
    if names is None:
        return values
    import pandas as pd

    return pd.Series(values, index=names, name=like.name)


def _bound(value, what: str) -> float | None:
    """A typed low or high price; None when blank (the lowest or highest quote is used)."""
    x = number(value, what, math.nan)
    if math.isnan(x):
        return None
    if x < 0:
        raise PartnerfitError(f"{what} is {show(x)}; enter a price of 0 or more, or leave it blank (the "
                              f"{'lowest' if what == 'low' else 'highest'} quote)")
    return x


def _money(x: float) -> str:
    """A price in a message: 150,000 or 1,234.50."""
    return f"{x:,.0f}" if x == round(x) else f"{x:,.2f}"


def price_scores(prices, method: str = "linear", low=None, high=None):
    """Price score 1-5 of each quote (see the module docstring for the formulas).

    `prices`: a pandas Series indexed by vendor (errors then name the vendor), a numpy array
    or a flat sequence; a blank (None, NaN, "", "N/A") is no quote and scores NaN, never 0.
    `method`: "linear" (default) or "ratio". `low`, `high` (linear only): the prices that
    score 5 and 1; blank or None for the lowest and the highest quote.
    Returns a Series with the prices' index and name when given a Series, else a numpy array.
    """
    if not isinstance(method, str) or method.strip().lower() not in METHODS:
        raise PartnerfitError(f"method is {show(method)}; use linear or ratio")
    method = method.strip().lower()
    values, names = _read_prices(prices)
    low, high = _bound(low, "low"), _bound(high, "high")
    if method == "ratio":
        if low is not None or high is not None:
            raise PartnerfitError("low and high are bounds of the linear method; "
                                  "leave them blank for ratio, or use linear")
        return _wrapped(ratio_scores(values), names, prices)
    typed = (low, high)
    quoted = values[~np.isnan(values)]
    if quoted.size:  # a bound left blank is the lowest or the highest quote
        low = float(quoted.min()) if low is None else low
        high = float(quoted.max()) if high is None else high
    if low is not None and high is not None and low > high:
        said = [_money(x) + ("" if t is not None else f", the {word} quote")
                for x, t, word in zip((low, high), typed, ("lowest", "highest"))]
        raise PartnerfitError(f"low ({said[0]}) is above high ({said[1]}); "
                              "the price that scores 5 must be at or below the price that scores 1")
    if low is None or high is None:  # no quote at all, and a bound left to the quotes
        return _wrapped(np.full(len(values), np.nan), names, prices)
    return _wrapped(linear_scores(values, low, high), names, prices)


def abnormally_low(prices, share: float = ABNORMALLY_LOW):
    """True for each quote below `share` of the median quote (blanks: False, and left out of the median).

    `prices` as for `price_scores`; returns booleans, a Series when given a Series. The
    scores stand: the buyer asks the vendor to explain the price and decides.
    """
    values, names = _read_prices(prices)
    share = number(share, "share", ABNORMALLY_LOW)
    if not 0 < share <= 1:
        raise PartnerfitError(f"share is {show(share)}; use a fraction above 0 and at most 1 "
                              "(0.8 flags quotes below 80 % of the median quote)")
    quoted = values[~np.isnan(values)]
    if not quoted.size:
        return _wrapped(np.zeros(len(values), dtype=bool), names, prices)
    with np.errstate(invalid="ignore"):
        return _wrapped(values < share * float(np.median(quoted)), names, prices)


@dataclass(frozen=True)
class PricedScores:
    """A vendor score table with its price criterion scored from the quotes (`technical_and_total`)."""

    scores: pd.DataFrame
    """The table given, its price column replaced by the price scores (NaN: no quote)."""
    technical: pd.DataFrame
    """`score_vendors` of the table without the price criterion."""
    total: pd.DataFrame
    """`score_vendors` of the whole table, price scores included."""
    replaced: pd.Series
    """The typed cells of the price column that are no longer used (vendor -> typed value)."""


def _price_column(price_scores, vendors: pd.Index, scale: tuple[float, float]) -> np.ndarray:
    """Price scores lined up with the vendors of the table: NaN for a vendor without one."""
    import pandas as pd

    if isinstance(price_scores, pd.Series):
        if not price_scores.index.is_unique:
            duplicated = price_scores.index[price_scores.index.duplicated()][0]
            raise PartnerfitError(f"vendor {show(duplicated)} has two price scores; give each vendor one")
        unknown = price_scores.index.difference(vendors, sort=False)
        if len(unknown):
            raise PartnerfitError(f"price score for {show(unknown[0])}, who is not in the scores table; "
                                  "give price scores for the table's vendors")
        price_scores = price_scores.reindex(vendors)
    else:
        price_scores = pd.Series(np.asarray(price_scores, dtype=object).reshape(-1))
        if len(price_scores) != len(vendors):
            raise PartnerfitError(f"{len(price_scores)} price scores for {len(vendors)} vendors; "
                                  "give one per row of the table (blank = no quote)")
    matrix, unreadable = score_matrix(price_scores.to_numpy(dtype=object, na_value=None).reshape(1, -1))
    values = matrix[0]
    off = unreadable[0] | (values < scale[0]) | (values > scale[1])
    if off.any():
        i = int(off.argmax())
        raise PartnerfitError(
            f"price score for {show(vendors[i])} is {show(price_scores.iloc[i])}, not a score from "
            f"{scale[0]:g} to {scale[1]:g}; pass price_scores(prices), not the prices"
        )
    return values


def technical_and_total(
    scores: pd.DataFrame,
    weights,
    price_scores,
    criterion: str = "Cost",
    minimums=None,
    min_coverage: float = 0.5,
) -> PricedScores:
    """Score the vendors on the technical criteria alone and in total, with the price criterion
    taken from the quotes.

    `scores`, `weights`, `minimums`, `min_coverage` as for `score_vendors`; `criterion` names
    the price column. `price_scores` (from `price_scores`): a Series indexed by vendor or a
    sequence in row order. The whole price column is then scored from the quotes: every typed
    cell in it is ignored (listed in `replaced`) and a vendor without a quote is not scored on
    price, so that no total mixes judged and computed price scores. The technical score is the
    weighted score without the price criterion (its weight and must-have left out too).
    """
    import pandas as pd

    if not isinstance(scores, pd.DataFrame):
        raise PartnerfitError(f"scores is a {type(scores).__name__}, not a pandas DataFrame; give one row per "
                              "vendor (index = vendor name) and one column per criterion")
    criteria = [str(c) for c in scores.columns]
    if criterion not in criteria:
        raise PartnerfitError(f"the scores table has no column {show(criterion)}; add the price criterion's "
                              "column (it may be blank) or name it with criterion=")
    if len(criteria) == 1:
        raise PartnerfitError(f"the scores table has only the price criterion {show(criterion)}; "
                              "add the technical criteria")
    if not scores.index.is_unique:
        duplicated = scores.index[scores.index.duplicated()][0]
        raise PartnerfitError(f"vendor {show(duplicated)} appears more than once; give each vendor one row")
    j = criteria.index(criterion)
    w = _aligned(weights, criteria, "weights", 0.0)
    mins = None if minimums is None else _aligned(minimums, criteria, "minimums", np.nan)
    new = _price_column(price_scores, scores.index, SCALE)

    typed = scores.iloc[:, j]
    typed_values, unreadable = score_matrix(typed.to_numpy(dtype=object, na_value=None).reshape(-1, 1))
    was_typed = ~np.isnan(typed_values[:, 0]) | unreadable[:, 0]
    filled = scores.copy()
    filled[scores.columns[j]] = new
    technical = np.arange(len(criteria)) != j
    return PricedScores(
        scores=filled,
        technical=score_vendors(filled.iloc[:, technical], w[technical],
                                None if mins is None else mins[technical], min_coverage),
        total=score_vendors(filled, w, mins, min_coverage),
        replaced=typed[was_typed],
    )


class Variant(Enum):
    """The price formulas `method_check` compares."""

    LINEAR = "linear"
    """Linear between the lowest and the highest quote."""
    LINEAR_TYPED = "linear, typed bounds"
    """Linear between the typed low and high prices."""
    RATIO = "ratio"
    """5 x lowest quote / quote."""


@dataclass(frozen=True)
class MethodCheck:
    """Whether the price formula decides who leads (`method_check`)."""

    leaders: dict[Variant, tuple]
    """The vendors ranked first under each formula (several on a tie; none if no vendor qualifies)."""
    changed: bool
    """True if the leaders differ between two of the formulas."""
    message: str


def _who(leaders: tuple) -> str:
    if not leaders:
        return "no vendor"
    names = [str(v) for v in leaders]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]} (tied)"


def method_check(
    scores: pd.DataFrame,
    weights,
    prices,
    low=None,
    high=None,
    criterion: str = "Cost",
    minimums=None,
    min_coverage: float = 0.5,
) -> MethodCheck:
    """Does the leader change between the linear and the ratio formula, and between the
    quotes' own range and the typed bounds (when `low` or `high` is given)?

    `prices` as for `price_scores`, lined up with the table as in `technical_and_total`
    (a Series indexed by vendor, or a sequence in row order); the other arguments as there.
    """
    low, high = _bound(low, "low"), _bound(high, "high")
    bounds = {Variant.LINEAR: (None, None), Variant.LINEAR_TYPED: (low, high), Variant.RATIO: (None, None)}
    if low is None and high is None:
        del bounds[Variant.LINEAR_TYPED]
    leaders = {}
    for variant, (lo, hi) in bounds.items():  # two or three formulas, each a whole table
        method = "ratio" if variant is Variant.RATIO else "linear"
        total = technical_and_total(scores, weights, price_scores(prices, method, lo, hi),
                                    criterion, minimums, min_coverage).total
        leaders[variant] = tuple(total.index[total["rank"].eq(1).to_numpy(dtype=bool, na_value=False)])
    return describe(leaders, low, high)


def describe(leaders: dict[Variant, tuple], low=None, high=None) -> MethodCheck:
    """The `MethodCheck` of the vendors leading under each formula compared (`method_check`; the
    workbook's method check gives its own leaders)."""
    ends = (_money(low) if low is not None else "the lowest quote",
            _money(high) if high is not None else "the highest quote")
    labels = {Variant.LINEAR: "linear scores between the lowest and the highest quote",
              Variant.LINEAR_TYPED: f"linear scores between {ends[0]} and {ends[1]}",
              Variant.RATIO: "ratio scores (lowest quote / quote)"}
    changed = len(set(map(frozenset, leaders.values()))) > 1
    if changed:
        parts = ", ".join(f"{_who(who)} with {labels[v]}" for v, who in leaders.items())
        message = f"The price formula decides who leads: {parts}."
    else:
        first = leaders[Variant.LINEAR]
        used = [labels[v] for v in leaders]
        which = f"whichever price formula is used: {', '.join(used[:-1])} or {used[-1]}"
        if not first:
            message = f"No vendor qualifies, {which}."
        else:
            message = f"{_who(first)} {'leads' if len(first) == 1 else 'lead'} {which}."
    return MethodCheck(leaders, changed, message)
