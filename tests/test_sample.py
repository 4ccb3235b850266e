"""The bundled sample is what the seeded generator writes, and it exercises the whole contract."""

import importlib.util
import json

from helpers import DATA
from vipctl import contract


def load_generator():
    spec = importlib.util.spec_from_file_location("make_sample", DATA / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_files_are_regenerated_byte_for_byte(tmp_path):
    load_generator().generate(tmp_path, 200)
    for name in ("clients.csv", "policies.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_sample_encodings_and_headers():
    clients = (DATA / "clients.csv").read_bytes()
    clients.decode("gbk")  # GBK with Chinese headers
    assert clients.decode("gbk").startswith("客户号,客户姓名")
    policies = (DATA / "policies.csv").read_text(encoding="utf-8")
    assert policies.startswith("policy_no,client_id")


def test_sample_covers_every_column_and_enumerated_value(cli):
    assert cli("import", str(DATA / "clients.csv"), str(DATA / "policies.csv")).exit_code == 0
    clients = json.loads(cli("clients", "-f", "json").stdout)
    for col in contract.CLIENT_COLUMNS:
        assert any(c[col.name] not in (None, "") for c in clients), col.name
    enums = {
        "gender": contract.GENDER,
        "birthday_calendar": contract.CALENDAR,
        "policy_quality": contract.QUALITY,
        "awareness": contract.AWARENESS,
        "satisfaction": contract.SATISFACTION,
        "economy": contract.ECONOMY,
        "mobility": contract.MOBILITY,
        "agent_status": contract.AGENT_STATUS,
        "relation": contract.RELATION,
    }
    for name, choices in enums.items():
        assert {c[name] for c in clients} >= set(choices), name
    assert {c["owns_property"] for c in clients} == {True, False}
    policies = json.loads(cli("export", "policies", "-f", "json").stdout)
    assert len(policies) == 400
    for col in contract.POLICY_COLUMNS:
        assert any(p[col.name] not in (None, "") for p in policies), col.name
    for name, choices in (
        ("category", contract.CATEGORY),
        ("frequency", contract.FREQUENCY),
        ("status", contract.STATUS),
    ):
        assert {p[name] for p in policies} == set(choices), name
