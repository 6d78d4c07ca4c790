"""The real connectors and the fakes implement the same seams: mypy checks each assignment
below (`make lint`), so a method renamed or retyped on one side and not the other fails
the type check. `tests/flows/test_fakes.py` checks the same at run time."""

from __future__ import annotations

from connectors.graph.publisher import GraphPublisher
from connectors.jira.publisher import JiraPublisher
from connectors.ports import IssueSource, JiraPublishing, Ledger, M365Publishing, Store
from connectors.store import PublicationLedger, Warehouse
from tests.fakes.ledger import FakeLedger
from tests.fakes.store import FakeStore
from tests.fakes.targets import FakeJira, FakeM365


def real(
    jira: JiraPublisher, graph: GraphPublisher, ledger: PublicationLedger, warehouse: Warehouse
) -> tuple[IssueSource, JiraPublishing, M365Publishing, Ledger, Store]:
    return jira, jira, graph, ledger, warehouse


def fake(
    jira: FakeJira, m365: FakeM365, ledger: FakeLedger, store: FakeStore
) -> tuple[IssueSource, JiraPublishing, M365Publishing, Ledger, Store]:
    return jira, jira, m365, ledger, store
