"""The evaluation workbook: generate it, read it back, check, score and share it.

Sheets: Start, Program, Criteria, Vendors, Evaluations, Consensus, Weights (AHP), Scores, Calc
(hidden helper blocks), xlwings.conf. Modules, each importing only those before it:

- `layout`: sheet names, where each defined name lies (`layout()`), cell references, and the
  texts the formulas show;
- `model`: the inputs (`Filling` for the generator, `Inputs` for the reader) and `Problem`;
- `results`: the value of every formula and add-in cell, computed with the engine
  (`computed_values`), and the engine's `Results` of a read workbook;
- `formulas`: the formula text of every formula cell; `writer`: writes the workbook with
  XlsxWriter (each formula with its computed value cached); `template`: `build_workbook`;
- `reader`: reads a filled workbook through its defined names (`Source`, `read_inputs`);
- `check`: every problem, one per cell, and `score_inputs`; `share`: the scored copy
  (`write_results`), the procurement copy (`write_shared`) and `verify`.

Several evaluators: as soon as the Evaluations sheet holds a row (any of Vendor, Evaluator,
Criterion or Score filled in), the whole workbook switches to the consensus: every vendor's
scores are the consensus of its evaluation rows (mean or median per vendor and criterion; blank
or N/A does not count) and the Vendors sheet's score columns are ignored. One switch for the
whole workbook, not per cell, so that a result never mixes one person's scores with a team's.
A vendor or criterion in an evaluation row matches the Vendors or Criteria sheet when the two
are equal, case included, after Excel's TRIM (see `results.read_evaluations`). While a row has
a problem (the Check column), every vendor's status is "Check the Evaluations sheet".
"""
