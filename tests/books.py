"""The small book the agenda, report and mail tests share: three clients, three policies,
imported on 2026-11-01."""

HEADERS = [
    "client_id", "name", "birthday", "birthday_calendar", "phone", "agent", "agent_status",
    "policy_quality", "awareness", "satisfaction", "economy", "mobility",
]  # fmt: skip
HEALTHY = ["good", "strong", "high", "good", "low"]
CLIENTS = [
    ["C1", "张伟", "1966-11-28", "solar", "13812345678", "王芳", "active", *HEALTHY],
    ["C2", "李娜", "1980-05-01", "solar", "13900001111", "李四", "left", *HEALTHY],
    ["C3", "王强", "1975-07-07", "solar", "13700002222", "王芳", "active",
     "poor", "weak", "low", "good", "low"],
]  # fmt: skip
POLICY_HEADERS = [
    "policy_no", "client_id", "premium", "frequency", "effective_date", "payment_years",
    "next_due_date", "status",
]  # fmt: skip
POLICIES = [
    ["P1", "C1", "12000", "annual", "2020-12-10", "20", "", "in_force"],
    ["P2", "C3", "30000", "annual", "2015-10-01", "20", "2026-10-01", "grace"],
    ["P3", "C2", "1000", "monthly", "2026-11-05", "10", "", "in_force"],
]
IMPORTED = "2026-11-01"
