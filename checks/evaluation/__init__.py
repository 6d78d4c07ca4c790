"""Evaluations: one project's (or a portfolio's) gate review or closeout, from frames to JSON.

- `evaluate`: the entry points `evaluate_gate`, `evaluate_closeout`, `evaluate_portfolio` and
  `PortfolioJob` (what a portfolio's projects share; `flows.evaluation` runs its shards);
- `project`: one project's steps, `assess_project` then `conclude` (`evaluate_project`: both);
- `frames`: a portfolio's canonical frames cut down to one project (`PortfolioSplit`), without
  the product's own posts (`own_posts`);
- `as_of`: the status date; `phase`: which lifecycle phase the project is in;
  `project_config`: the project's effective configuration; `data_version`: the inputs' hash;
  `chart_data`: the series reports draw.
"""
