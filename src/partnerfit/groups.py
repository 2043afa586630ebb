"""Criteria groups: weights given per group and within each group, and AHP per level.

Practitioners weigh a long list of criteria in two steps: the groups against each other, then
the criteria within each group (the catalogue puts every criterion in a group,
`criteria.Group`). A criterion's global weight is the product down the hierarchy (Saaty's
hierarchic composition, Saaty 1980):

    w_c = W_g(c) x l_c      W: group shares (sum 1); l: local shares (sum 1 within each group)

With AHP, one matrix compares the groups and one per group compares its criteria: 14 criteria
in groups of 4, 3, 3, 2 and 2 need at most 10 + 6 + 3 + 3 + 1 + 1 = 24 judgements instead of
the 91 of one 14 x 14 matrix, each level with its own lambda max, CI, CR and pair to revisit.
A group of one criterion needs no matrix (local weight 1).

`compose_weights` composes typed weights (any totals, as `score_vendors` takes them);
`ahp_hierarchy` derives both levels from pairwise judgements (blanks completed as
`ahp.ahp_weights` does) and composes them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .ahp import AHPResult, ahp_weights, read_pairwise
from .cells import numbers
from .errors import PartnerfitError, show


@dataclass(frozen=True)
class GroupedWeights:
    """Weights given per group and within each group, and the global weights they compose."""

    groups: tuple[str, ...]
    group_shares: np.ndarray
    """One per group, summing to 1."""
    criteria: tuple[str, ...]
    """Group by group, in the groups' order."""
    group_of: np.ndarray
    """For each criterion, the index of its group in `groups`."""
    local_shares: np.ndarray
    """One per criterion, summing to 1 within each group (0 in a group whose weights are all 0)."""

    @property
    def weights(self) -> np.ndarray:
        """Global weight of each criterion: its group's share x its local share (sum 1)."""
        return self.group_shares[self.group_of] * self.local_shares

    def as_dict(self) -> dict[str, float]:
        """Criterion -> global weight, in `criteria` order."""
        return dict(zip(self.criteria, self.weights.tolist()))


def _shares(values: Sequence[object], labels: list[str], zero: str | None) -> np.ndarray:
    """Weights (numbers, text numbers; blank = 0) as shares summing to 1; `zero` is the error
    when all are 0 (None: then the shares are 0, as for the criteria of a group weighing 0)."""
    w = numbers(values, "weight", labels, 0.0)
    for label, x in zip(labels, w):
        if x < 0:
            raise PartnerfitError(f"weight for {label} is {show(float(x))}; weights must be 0 or more")
    with np.errstate(over="ignore"):
        total = w.sum()
    if total == np.inf:
        raise PartnerfitError(f"weights {labels[0]}, ... add up to more than {np.finfo(float).max:.3g}; "
                              "use smaller numbers (only their proportions count)")
    if total == 0 and zero is not None:
        raise PartnerfitError(zero)
    return w / total if total else w


def compose_weights(
    group_weights: Mapping[str, object], local_weights: Mapping[str, Mapping[str, object]]
) -> GroupedWeights:
    """Global weights from weights per group and within each group: w_c = W_g(c) x l_c.

    `group_weights`: group -> weight; `local_weights`: group -> {criterion: weight}, in the
    groups' order. Weights may have any total in each group (30/20/... or 0.3/0.2/...); a blank
    is 0. A group weighing 0 leaves its criteria out (global weight 0).
    """
    groups = [str(g) for g in group_weights]
    if not groups:
        raise PartnerfitError("no groups; give each group a weight and its criteria's weights")
    for group in local_weights:
        if group not in group_weights:
            raise PartnerfitError(
                f"group {show(group)} has criteria weights but no group weight; give it one (0 leaves it out)"
            )
    found: dict[str, str] = {}
    criteria, group_of, local = [], [], []
    shares = _shares(list(group_weights.values()), [f"group {g}" for g in groups],
                     "all group weights are 0; give at least one group a positive weight")
    for k, group in enumerate(group_weights):
        members = local_weights.get(group) or {}
        if not members:
            raise PartnerfitError(f"group {show(group)} has no criteria; put at least one criterion in it or remove it")
        for name in members:
            if name in found:
                raise PartnerfitError(f"criterion {show(name)} is in groups {show(found[name])} and "
                                      f"{show(group)}; put it in one group")
            found[name] = group
        labels = [f"{name} (group {group})" for name in members]
        zero = (f"the criteria of group {show(group)} all weigh 0, but the group weighs {shares[k]:.0%}; "
                "give one of them a positive weight (or the group 0)") if shares[k] else None
        local.append(_shares(list(members.values()), labels, zero))
        criteria += [str(name) for name in members]
        group_of += [k] * len(members)
    return GroupedWeights(tuple(groups), shares, tuple(criteria), np.array(group_of), np.concatenate(local))


@dataclass(frozen=True)
class AHPHierarchy:
    """AHP per level (`ahp_hierarchy`): the groups compared, the criteria compared within each
    group, and the global weights they compose."""

    groups: AHPResult
    """The groups compared with each other."""
    within: dict[str, AHPResult]
    """Group -> its criteria compared (1 x 1, weight 1, for a group of one criterion)."""
    weights: GroupedWeights
    """Group weight x local weight; `.as_dict()` gives criterion -> global weight."""

    @property
    def consistent(self) -> bool:
        """Every level's CR is at most 0.10."""
        return self.groups.consistent and all(r.consistent for r in self.within.values())

    @property
    def message(self) -> str:
        """One line: consistent, or the first level to revisit and which judgement."""
        levels = [("groups", self.groups), *((f"group {g}", r) for g, r in self.within.items())]
        return next((f"{where}: {r.message}" for where, r in levels if not r.consistent),
                    "consistent: every CR is at most 0.10")


def _level(cells, names: Sequence[str], where: str, what: str) -> AHPResult:
    """`ahp_weights` of one level's matrix, which must be len(names) square (one row per `what`);
    errors start with `where`."""
    try:
        shape = read_pairwise(cells).shape
        if shape != (len(names), len(names)):
            raise PartnerfitError(f"pairwise matrix is {shape[0]} x {shape[1]} for {len(names)} {what}; "
                                  "give one row and one column for each, in the same order")
        return ahp_weights(cells, names)
    except PartnerfitError as error:
        raise PartnerfitError(f"{where}: {error}") from None


def ahp_hierarchy(
    groups: Mapping[str, Sequence[str]], group_judgements, judgements: Mapping[str, object]
) -> AHPHierarchy:
    """AHP weights of criteria in groups: one pairwise matrix for the groups, one per group.

    `groups`: group -> its criteria, in the order of their matrix; `group_judgements`: the
    groups compared, in the order of `groups`; `judgements`: group -> its matrix (none needed
    for a group of one). Each matrix as `ahp.ahp_weights` takes it, blanks included.
    """
    for group in judgements:
        if group not in groups:
            raise PartnerfitError(f"judgements are given for group {show(group)}, which is not one of the groups")
    top = _level(group_judgements, [str(g) for g in groups], "groups", "groups")
    within = {}
    for group, names in groups.items():
        if not names:
            raise PartnerfitError(f"group {show(group)} has no criteria; put at least one criterion in it or remove it")
        if group not in judgements:
            if len(names) != 1:
                raise PartnerfitError(f"group {show(group)} has {len(names)} criteria but no pairwise "
                                      "matrix; compare its criteria (only a group of one needs none)")
            within[group] = ahp_weights(1.0)
        else:
            within[group] = _level(judgements[group], names, f"group {show(group)}", "criteria")
    composed = compose_weights(
        dict(zip(groups, top.weights.tolist())),
        {g: dict(zip(names, within[g].weights.tolist())) for g, names in groups.items()},
    )
    return AHPHierarchy(top, within, composed)
