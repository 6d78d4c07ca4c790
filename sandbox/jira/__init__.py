"""Jira REST emulator of the sandbox (Cloud v3 and Data Center v2), next to `sandbox.graph`.

- `meta`, `search`, `history`, `write`, `create`: the routes, by what they serve;
- `render`: records as the API shows them (users expanded, ADF, fields selected); `adf`;
- `issues_table`, `worklogs_table`: the tenant's issues and worklogs held column-wise;
- `jql`, `jql_eval`: the JQL subset the sandbox understands, parsed and evaluated.
"""
