"""The evaluation workbook: generate it, read it back, check, score and share it.

Sheets: Start, Program, Criteria, Vendors, Evaluations, Consensus, Weights (AHP), Scores, Calc
(hidden helper blocks), xlwings.conf. Modules, each importing only those before it:

- `layout`: sheet names, where each defined name lies (`layout()`), cell references, and the
  texts the formulas show;
- `model`: the inputs (`Filling`: every input cell, what the generator writes and what the
  reader reads; `Inputs`: a read `Filling` with where each value lives) and `Problem`;
- `results`: `compute`, the one computation of a `Filling`: every formula and add-in cell's
  value and the engine's results behind them, which `Results` (scores, JSON) reads;
- `formulas`: the formula text of every formula cell; `writer`: writes the workbook with
  XlsxWriter (each formula with its computed value cached); `template`: `build_workbook`;
- `reader`: reads a filled workbook through its defined names, once (`Source`, `read_inputs`);
- `check`: every problem, one per cell, and `score_inputs`; `share`: the scored copy
  (`write_results`), the procurement copy (`write_shared`) and `verify`.

Several evaluators: one grid per evaluator on the Evaluations sheet (shaped like a pack: an
Evaluator cell, then per row a vendor's name, one score per criterion, evidence and a Check). As
soon as a grid's score cell holds anything, the whole workbook switches to the consensus: every
vendor's scores are the consensus of its grid rows (mean or median per vendor and criterion; blank
or N/A does not count) and the Vendors sheet's score columns are ignored. One switch for the
whole workbook, not per cell, so that a result never mixes one person's scores with a team's.
A grid row counts for the vendor whose name equals it, case included, after Excel's TRIM (the
first such row; see `results.read_grids`), so a sort of the vendor table keeps every consensus.
A score is a number from 1 to 5 (a number typed as text is not); while a grid row has a problem
(its Check cell), every vendor's status is "Check the Evaluations sheet". A workbook of version
0.1 (one long Evaluations table) is refused with the line that carries it over (`partnerfit merge
OLD -o NEW`, `team.grids_from_rows`).
"""
