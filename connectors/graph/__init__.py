"""Microsoft 365 through Microsoft Graph (msgraph-sdk): Planner, Shifts and SharePoint in;
Teams, SharePoint/OneDrive, mail and Planner out.

Public API:
- `connectors.graph.sync.sync_graph(settings, warehouse, *, graph_url=None, token=None,
  progress=None, full=False) -> list[SyncSummary]` (and `sync_graph_async`);
- `connectors.graph.publisher.GraphPublisher` (`from_settings`, `post_card_webhook`,
  `post_channel_message`, `upload_file`, `send_mail`, `create_planner_task`);
- pure mapping in `connectors.graph.mapping` (Planner) and `connectors.graph.mapping_time`
  (time cards, timesheets), on the typed records of `connectors.graph.records`.

Module map: `client` (credentials, retries, counters, limits), `readers` (paging, `$batch`,
list delta), `scopes` + `apply` (warehouse writes), `people` (e-mail folding), `errors`
(resource + permission in every refusal), `publish_ops` + `webhook` (the posts).
"""
