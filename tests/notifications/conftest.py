import pytest


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_DIR": str(tmp_path / "mail"), "MAIL_FROM": "planner@agency.example"}
