"""Which server and model a run uses, and whose rate limits apply, from the SDK's own variables."""

import pytest

from extraction_pipeline.llm.backend import OPENAI_RPM, open_client, resolve_backend
from extraction_pipeline.settings import Settings
from extraction_pipeline_tests.support.scripted_llm_server import Reply, ScriptedLLMServer


def test_a_configured_server_without_a_model_name_uses_the_one_model_it_lists(monkeypatch):
    with ScriptedLLMServer(lambda req: Reply("{}"), models=("qwen2.5:3b",)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        with open_client(Settings.load(env={})) as client:
            assert client.model == "qwen2.5:3b"
            # Not OpenAI's endpoint: OpenAI's account limits do not apply to it.
            assert client.limiter.rpm is None and client.limiter.tpm is None


def test_a_server_listing_several_models_needs_one_named(monkeypatch):
    with ScriptedLLMServer(lambda req: Reply("{}"), models=("llama3", "mistral")) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        with pytest.raises(ValueError, match="serves 2 models .*llama3, mistral.*EXTRACTION_MODEL"):
            with open_client(Settings.load(env={})):
                pass


@pytest.mark.parametrize(
    ("env", "openai", "model"),
    [
        ({"OPENAI_API_KEY": "sk-x"}, True, "gpt-4o-mini"),
        ({"OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "https://api.openai.com/v1"}, True, "gpt-4o-mini"),
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1"}, False, None),
    ],
)
def test_openai_defaults_apply_only_to_openais_endpoint(env, openai, model):
    backend = resolve_backend(env)
    assert (backend.is_openai, backend.model, backend.embedded) == (openai, model, False)


def test_openais_endpoint_is_paced_at_its_lower_tier_unless_told_otherwise(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with open_client(Settings.load(env={}), use_cache=False) as client:
        assert client.limiter.rpm == OPENAI_RPM
    with open_client(Settings.load(env={"EXTRACTION_RPM": "0"}), use_cache=False) as client:
        assert client.limiter.rpm == 0


def test_the_provider_limits_are_split_between_the_pools_slots(monkeypatch):
    """With 3 llm_extractions steps allowed at once, each paces itself at a third of the limits."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    settings = Settings.load(env={"EXTRACTION_RPM": "120", "EXTRACTION_TPM": "90000"})
    with open_client(settings, use_cache=False, rate_share=3) as client:
        assert (client.limiter.rpm, client.limiter.tpm) == (40, 30000)
    with open_client(Settings.load(env={"EXTRACTION_RPM": "0"}), use_cache=False, rate_share=3) as client:
        assert client.limiter.rpm == 0  # off stays off
