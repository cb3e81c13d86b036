import pytest

from extraction_pipeline_tests.scripted_llm_server import Responder, ScriptedLLMServer


@pytest.fixture(autouse=True)
def isolated_answer_cache(tmp_path, monkeypatch):
    """Each test starts with an empty answer cache of its own: no test is served another's answers."""
    path = tmp_path / "llm_answers.sqlite3"
    monkeypatch.setenv("EXTRACTION_CACHE_PATH", str(path))
    return path


@pytest.fixture
def scripted_llm(monkeypatch):
    """Start a scripted OpenAI-compatible server (a test double) and point the pipeline at it."""
    servers = []

    def start(responder: Responder, model: str = "gpt-4o-mini", embeddings: bool = True) -> ScriptedLLMServer:
        server = ScriptedLLMServer(responder, embeddings=embeddings).__enter__()
        servers.append(server)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("EXTRACTION_MODEL", model)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
