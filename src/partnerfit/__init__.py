"""partnerfit: choose biopharma outsourcing partners (CRO, CMO, CDMO) and score vendors.

Public API (imported lazily so that the command line starts fast):

* `recommend(stage, need, process, cmc_experience, modality)` -> `Recommendation`
* `score_vendors(scores, weights, minimums=None, min_coverage=0.5)` -> DataFrame
* `default_weights(partner_type)`, `CATALOGUE`, `PROFILES` (the criteria and weight profiles)
* `ahp_weights(matrix)` (AHP), `vendor_acceptability(scores, weights)` and
  `vendor_flip_margins(scores, weights)` (robustness); `partnerfit.consensus.consensus` (several
  evaluators: a function named like its module, so imported from it)
* `PartnerfitError`, raised with a one-line message for bad input
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"
"""The package's version (pyproject.toml reads it from here): a constant, not importlib.metadata,
which every command would pay for at start-up (30 ms)."""

_EXPORTS = {
    "recommend": "partner_fit",
    "Recommendation": "partner_fit",
    "score_vendors": "scoring",
    "Status": "scoring",
    "default_weights": "criteria",
    "CATALOGUE": "criteria",
    "PROFILES": "criteria",
    "PartnerType": "domain",
    "Stage": "domain",
    "PartnerfitError": "errors",
    "ahp_weights": "ahp",
    "vendor_acceptability": "robustness",
    "vendor_flip_margins": "robustness",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'partnerfit' has no attribute {name!r}")
