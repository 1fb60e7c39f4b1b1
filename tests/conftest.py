from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"


def project_settings(**overrides) -> dict:
    """crawler/settings.py as a dict, with overrides. Without TWISTED_REACTOR:
    a crawler made from it in a test would insist on that reactor."""
    from crawler import settings

    return {**{k: getattr(settings, k) for k in dir(settings) if k.isupper() and k != "TWISTED_REACTOR"}, **overrides}


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


def pytest_report_header(config):
    import json

    drafts = [str(p.relative_to(FIXTURES)) for p in sorted(FIXTURES.glob("*/*.json")) if json.loads(p.read_text("utf-8")).get("draft")]
    if drafts:
        return f"draft fixtures, not checked against their pages and not tested: {', '.join(drafts)}"
