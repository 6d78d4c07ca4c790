"""The Jira connector: reader (streams), pure mapping, page-batch sync, publisher.

- `build_jira(settings, sandbox_info=None) -> JiraApi`: the real `jira` client behind one
  retry policy (`client.py`, `http.py`);
- `run_jira_sync(settings, warehouse, api, full=False, projects=None) -> list[SyncSummary]`
  and the step object `JiraSync` that the `nightly_sync` flow runs as tasks (`sync.py`);
- `JiraPublisher(api, ledger)`: comment, attach, set_property, create_issue, each once per
  publication key (`publisher.py`);
- `mapping.py` / `mapping_meta.py`: API records -> canonical rows, pure.
"""

from connectors.jira.client import JiraApi, build_jira
from connectors.jira.publisher import JiraPublisher
from connectors.jira.sync import JiraSync, run_jira_sync

__all__ = ["JiraApi", "JiraPublisher", "JiraSync", "build_jira", "run_jira_sync"]
