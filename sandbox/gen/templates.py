"""The demo portfolio: IT projects as in the seed document, one per lifecycle phase and more.

Offsets are days relative to the tenant's `now`, so the portfolio looks the same whatever
instant it is generated for. Each workstream becomes an epic; its work items are drawn
from the item titles (suffixed with a site/wave when more are needed).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProjectSpec:
    key: str
    name: str
    phase: str
    start_offset: int  # days before now the project started
    duration: int  # days from start to target date
    issues: int  # approximate number of issues
    team_size: int
    description: str
    workstreams: dict[str, list[str]]
    objectives: list[str]
    kpis: dict[str, tuple[float, str, str]]  # name -> (target, unit, direction)
    sites: list[str] = field(default_factory=lambda: ["Berlin", "New York", "Pune", "São Paulo"])


PORTFOLIO: list[ProjectSpec] = [
    ProjectSpec(
        "ERP",
        "ERP migration to S/4HANA",
        "execution",
        150,
        240,
        150,
        6,
        "Move finance, procurement and inventory from the legacy ERP to S/4HANA.",
        {
            "Data migration": [
                "Profile legacy vendor master",
                "Cleanse customer master data",
                "Map chart of accounts",
                "Build migration cockpit objects",
                "Mock load 1",
                "Reconcile open items after mock load",
            ],
            "Finance module": [
                "Configure company codes",
                "Set up cost centres",
                "Configure asset accounting",
                "Design month-end close",
            ],
            "Procurement": [
                "Configure purchase requisition workflow",
                "Set up vendor evaluation",
                "Migrate purchasing info records",
            ],
            "Integrations": [
                "Build bank statement interface",
                "Build payroll posting interface",
                "Connect EDI gateway",
                "Set up middleware monitoring",
            ],
            "Cutover": ["Write cutover runbook", "Dress rehearsal", "Freeze legacy postings"],
        },
        ["Retire the legacy ERP by Q1", "Close the books in 5 days instead of 9"],
        {"close_days": (5, "days", "lower"), "interfaces_live": (12, "count", "higher")},
    ),
    ProjectSpec(
        "NET",
        "Campus network upgrade",
        "planning",
        40,
        220,
        60,
        5,
        "Replace access switches and Wi-Fi in four office sites; move to SD-WAN.",
        {
            "Design": [
                "Survey site cabling",
                "Wi-Fi heat map",
                "Design VLAN scheme",
                "SD-WAN design review",
            ],
            "Procurement": [
                "Request quotes for access switches",
                "Order access points",
                "Order SD-WAN appliances",
            ],
            "Rollout plan": [
                "Plan maintenance windows",
                "Write switch cutover procedure",
                "Agree change freeze dates",
            ],
        },
        ["Wi-Fi coverage in every meeting room", "Halve WAN costs"],
        {"wifi_coverage": (0.98, "share", "higher"), "wan_cost_eur_month": (9000, "EUR", "lower")},
    ),
    ProjectSpec(
        "M365",
        "Microsoft 365 rollout",
        "training_documentation",
        180,
        205,
        90,
        5,
        "Move mail, files and chat of 1,200 staff to Microsoft 365.",
        {
            "Tenant setup": [
                "Configure conditional access",
                "Set up retention policies",
                "Configure Teams policies",
            ],
            "Migration waves": [
                "Migrate mailboxes",
                "Migrate file shares to SharePoint",
                "Migrate distribution lists",
            ],
            "Training": [
                "Train the champions network",
                "Run Teams basics sessions",
                "Record OneDrive how-to videos",
            ],
            "Documentation": [
                "Write user guide for Teams",
                "Write admin runbook",
                "Publish FAQ on the intranet",
            ],
        },
        ["All staff on Microsoft 365", "Decommission on-prem Exchange"],
        {"adoption": (0.8, "share", "higher"), "tickets_per_week": (40, "count", "lower")},
    ),
    ProjectSpec(
        "CRM",
        "CRM implementation",
        "qa_uat",
        200,
        230,
        120,
        6,
        "Introduce Dynamics 365 Sales for the sales and service teams.",
        {
            "Configuration": [
                "Configure opportunity pipeline",
                "Set up territories",
                "Design account forms",
                "Configure case management",
            ],
            "Data": [
                "Migrate accounts and contacts",
                "Migrate open opportunities",
                "Deduplicate leads",
            ],
            "Integrations": [
                "Integrate with ERP customer master",
                "Integrate e-mail tracking",
                "Connect telephony",
            ],
            "Testing": [
                "Write integration test cases",
                "Run performance test",
                "Run regression suite",
            ],
        },
        ["One customer view for sales and service", "Forecast accuracy within 10 %"],
        {"forecast_accuracy": (0.9, "share", "higher"), "active_users": (300, "count", "higher")},
    ),
    ProjectSpec(
        "DCM",
        "Data-centre move to colocation",
        "execution",
        100,
        160,
        110,
        6,
        "Move 240 servers from the basement data centre to a colocation facility.",
        {
            "Inventory": [
                "Discover application dependencies",
                "Tag servers by move group",
                "Confirm application owners",
            ],
            "Facility": [
                "Sign colocation contract",
                "Install racks and power",
                "Provision cross-connects",
            ],
            "Move groups": [
                "Move group A: infrastructure",
                "Move group B: file and print",
                "Move group C: line-of-business apps",
                "Move group D: databases",
            ],
            "Validation": [
                "Smoke-test moved applications",
                "Update CMDB locations",
                "Decommission old cooling",
            ],
        },
        ["Empty the basement data centre", "No unplanned outage > 2 h"],
        {"servers_moved": (240, "count", "higher"), "unplanned_outage_h": (2, "hours", "lower")},
    ),
    ProjectSpec(
        "SEC",
        "Security hardening programme",
        "initiation",
        20,
        210,
        40,
        4,
        "Close the gaps found by the ISO 27001 pre-audit.",
        {
            "Charter": [
                "Draft project charter",
                "Agree scope with CISO",
                "Identify control owners",
            ],
            "Assessment": [
                "Review privileged access",
                "Assess patch latency",
                "Assess backup encryption",
            ],
        },
        ["Pass the ISO 27001 certification audit", "Patch critical CVEs within 14 days"],
        {"critical_patch_days": (14, "days", "lower"), "audit_findings": (0, "count", "lower")},
    ),
    ProjectSpec(
        "BKP",
        "Backup modernisation",
        "closeout",
        240,
        215,
        80,
        4,
        "Replace tape backup with immutable cloud backup.",
        {
            "Design": ["Select backup vendor", "Design retention tiers"],
            "Rollout": [
                "Deploy backup proxies",
                "Protect file servers",
                "Protect databases",
                "Protect Microsoft 365 data",
            ],
            "Handover": [
                "Restore test of critical systems",
                "Hand over to operations",
                "Decommission tape library",
            ],
        },
        ["Immutable backups for all tier-1 systems", "Restore any tier-1 system in 4 h"],
        {"restore_hours": (4, "hours", "lower"), "protected_share": (1.0, "share", "higher")},
    ),
]

PMO_KEY = "PMO"
