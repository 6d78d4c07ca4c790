"""The closeout report: objectives and KPI attainment, final variances, forecast record, lessons.

- `report`: `closeout_report(...)`, the closeout section of an evaluation;
- `lessons`: lessons learned, derived from the project's history and recorded by the team.
"""
