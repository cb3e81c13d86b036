"""One settings object: Dagster config over environment over defaults, documented in one table."""

import re

import pytest

from extraction_pipeline.defs.resources import LLMResource
from extraction_pipeline.settings import Settings, markdown_table
from extraction_pipeline_tests.support.helpers import REPO

TABLE = re.compile(r"<!-- settings table: .*? -->\n(.*?)<!-- end of settings table -->", re.S)


def test_the_documented_table_is_the_one_the_code_makes():
    documented = TABLE.search((REPO / "docs" / "configuration.md").read_text()).group(1)
    assert documented == markdown_table(), "run `python -m extraction_pipeline.settings` and paste its table"


def test_every_variable_the_code_or_the_docs_name_is_a_setting():
    known = set(re.findall(r"`(EXTRACTION_[A-Z_]+)`", markdown_table()))
    texts = [p.read_text() for p in (REPO / "extraction_pipeline").rglob("*.py")]
    texts += [p.read_text() for p in [REPO / "README.md", *(REPO / "docs").glob("*.md")]]
    named = {name for text in texts for name in re.findall(r"EXTRACTION_[A-Z_]*[A-Z]", text)}
    assert named - known == set()


def test_config_wins_over_the_environment_which_wins_over_the_default():
    env = {"EXTRACTION_RPM": "60", "EXTRACTION_TPM": "1000", "EXTRACTION_NEAR_DUPLICATES": "yes"}
    settings = Settings.load(LLMResource(rpm=30), {"quarantine_ungrounded": ["total"]}, env=env)
    assert (settings.rpm, settings.tpm, settings.reuse_near_duplicates) == (30, 1000, True)
    assert settings.quarantine_ungrounded == ("total",)
    assert Settings.load(env={}).token_budget_per_document == 6000


def test_a_malformed_variable_is_refused_with_its_name_and_value():
    with pytest.raises(ValueError, match=r"EXTRACTION_RPM='fast'"):
        Settings.load(env={"EXTRACTION_RPM": "fast"})
    with pytest.raises(ValueError, match="EXTRACTION_NEAR_DUPLICATES"):
        Settings.load(env={"EXTRACTION_NEAR_DUPLICATES": "maybe"})
