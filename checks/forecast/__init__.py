"""Completion forecasts: when the remaining work finishes, and how good earlier forecasts were.

- `throughput`: items finished per day or week (the history a forecast resamples);
- `monte_carlo`: the Monte Carlo forecast (`forecast_project`, P50/P70/P85/P95);
- `record`: earlier forecasts (from metric snapshots) scored against what happened.
"""
