"""The generator: a new evaluation workbook, blank or with the bundled example
(`partnerfit new`, `partnerfit demo`)."""

from __future__ import annotations

from dataclasses import replace

from ..domain import PartnerType
from ..errors import PartnerfitError
from ..example import EXAMPLE
from .layout import DEFAULT_CAPACITY, DEFAULT_EVALUATORS
from .model import Filling
from .writer import write_workbook


def build_workbook(path, partner_type="CDMO", vendors: int = DEFAULT_CAPACITY, example: bool = False,
                   evaluators: int = DEFAULT_EVALUATORS) -> None:
    """A new evaluation workbook: blank with `partner_type`'s default weights, or the example.

    `vendors` is the number of vendor rows, `evaluators` the number of evaluator grids on the
    Evaluations sheet. The example is a CDMO evaluation by one evaluator (its grids are empty).
    """
    if example:
        if PartnerType.parse(partner_type, "partner type") is not EXAMPLE.partner_type:
            raise PartnerfitError(
                f"the example is a {EXAMPLE.partner_type.value} evaluation; leave out the partner type"
            )
        filling = replace(Filling.example(vendors), evaluators=evaluators)
    else:
        filling = Filling(partner_type=partner_type, capacity=vendors, evaluators=evaluators)
    write_workbook(path, filling)

