"""The `partnerfit` command line.

Each sub-command is a small function `cmd_<name>(args) -> exit code`, registered in `_parser`.
Exit codes: 0 success, 1 problems found or a file failed, 2 usage error. Expected failures
print one line on stderr (`partnerfit: ...`), never a traceback. Heavy imports stay inside the
commands so that `partnerfit --help` and `partnerfit new` start fast.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .errors import PartnerfitError


def format_table(header: list[str], rows: list[list], aligns: str = "") -> str:
    """A plain-text table with aligned columns (`aligns`: 'l' or 'r' per column)."""
    cells = [[str(h) for h in header]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    aligns = aligns.ljust(len(header), "l")

    def line(row):
        return "  ".join(
            v.rjust(w) if a == "r" else v.ljust(w) for v, w, a in zip(row, widths, aligns)
        ).rstrip()

    return "\n".join([line(cells[0]), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]])


def vendor_rows(table) -> list[list]:
    """The engine's vendor table as printable rows."""
    import pandas as pd

    return [
        [
            name,
            "" if pd.isna(row.score) else f"{row.score:.2f}",
            "" if pd.isna(row.rank) else str(int(row.rank)),
            f"{row.coverage:.0%}",
            row.status,
        ]
        for name, row in zip(table.index, table.itertuples())
    ]


def print_results(recommendation, table, out=sys.stdout) -> None:
    scores = ", ".join(f"{k} {v}" for k, v in recommendation.scores.items())
    print(f"Recommended partner type: {recommendation.partner_type}  (fit: {scores})", file=out)
    print(recommendation.reason, file=out)
    print(file=out)
    print(format_table(["Vendor", "Score", "Rank", "Coverage", "Status"], vendor_rows(table), "lrrrl"), file=out)


def cmd_demo(args) -> int:
    """Run the bundled example: recommendation and ranked vendors."""
    from .example import EXAMPLE as e
    from .partner_fit import recommend
    from .scoring import score_vendors

    recommendation = recommend(e.stage, e.need, e.process, e.cmc_experience, e.modality)
    print(f"Example programme: {e.stage}, {e.need}, process {e.process}, "
          f"CMC experience {e.cmc_experience}, {e.modality}\n")
    print_results(recommendation, score_vendors(e.scores_frame(), e.weights, e.minimums))
    return 0


def cmd_new(args) -> int:
    """Create an evaluation workbook: blank with the partner type's default weights, or the example."""
    from pathlib import Path

    from .template import build_workbook
    from .xlsx import write_atomically

    path = Path(args.path)
    if path.suffix.lower() != ".xlsx":
        print(f"partnerfit: {path.name} must end in .xlsx (to import the Excel functions, "
              "save it as .xlsm in Excel, see its Start sheet)", file=sys.stderr)
        return 2
    if args.example and args.type not in (None, "CDMO"):
        print("partnerfit: the example is a CDMO evaluation; leave out --type", file=sys.stderr)
        return 2
    partner_type = args.type or "CDMO"
    write_atomically(
        path, lambda temp: build_workbook(temp, partner_type, args.vendors, args.example), force=args.force
    )
    what = "example" if args.example else f"blank {partner_type}"
    print(f"Wrote {path}: {what} evaluation workbook with room for {args.vendors} vendors")
    return 0


def _vendor_rows(text: str) -> int:
    from .template import MAX_CAPACITY

    if not text.isdigit() or not 1 <= int(text) <= MAX_CAPACITY:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to {MAX_CAPACITY}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnerfit",
        description="Choose biopharma outsourcing partners (CRO, CMO, CDMO) and score vendors.",
        epilog="Example: partnerfit demo",
    )
    parser.add_argument("--version", action="version", version=f"partnerfit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    demo = commands.add_parser(
        "demo", help="run the bundled example", description=cmd_demo.__doc__,
        epilog="Example: partnerfit demo",
    )
    demo.set_defaults(run=cmd_demo)
    new = commands.add_parser(
        "new", help="create an evaluation workbook", description=cmd_new.__doc__,
        epilog="Examples: partnerfit new evaluation.xlsx --type CMO; partnerfit new example.xlsx --example",
    )
    new.add_argument("path", metavar="PATH", help="the .xlsx file to create")
    new.add_argument("--type", type=str.upper, choices=["CRO", "CMO", "CDMO"],
                     help="partner type whose criteria and default weights to use (default CDMO)")
    new.add_argument("--vendors", type=_vendor_rows, default=50, metavar="N",
                     help="rows for vendors (default 50)")
    new.add_argument("--example", action="store_true", help="fill in the bundled CDMO example")
    new.add_argument("--force", action="store_true", help="replace PATH if it exists")
    new.set_defaults(run=cmd_new)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except PartnerfitError as error:
        print(f"partnerfit: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("partnerfit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
