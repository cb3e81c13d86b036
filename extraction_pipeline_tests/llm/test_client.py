"""The LLM client against a scripted OpenAI-compatible server (a test double) over real HTTP."""

import json

import pytest

from extraction_pipeline.doctypes.schemas import llm_json_schema
from extraction_pipeline.llm.client import LLMClient, LLMError
from extraction_pipeline_tests.support.helpers import RECEIPT
from extraction_pipeline_tests.support.scripted_llm_server import Reply, ScriptedLLMServer

Receipt = RECEIPT.model

SCHEMA = llm_json_schema(Receipt)
MESSAGES = [{"role": "user", "content": "Receipt text:\nSHOP"}]


def client_for(server, **options):
    return LLMClient(
        model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=0, timeout_s=5, **options
    )


def test_completion_carries_text_usage_latency_and_finish_reason():
    with ScriptedLLMServer(
        lambda req: Reply('{"a": 1}', prompt_tokens=512, completion_tokens=30, cached_tokens=256)
    ) as server:
        completion = client_for(server).complete(MESSAGES, "receipt", SCHEMA)
    assert completion.text == '{"a": 1}' and completion.finish_reason == "stop"
    assert (completion.input_tokens, completion.cached_input_tokens, completion.output_tokens) == (512, 256, 30)
    assert completion.latency_s > 0
    # gpt-4o-mini: 256 uncached * 0.15 + 256 cached * 0.075 + 30 out * 0.60, per million
    assert completion.cost_usd == pytest.approx((256 * 0.15 + 256 * 0.075 + 30 * 0.60) / 1e6)


def test_openai_structured_output_is_requested_with_the_strict_schema():
    with ScriptedLLMServer(lambda req: Reply("{}")) as server:
        client_for(server).complete(MESSAGES, "receipt", SCHEMA)
    sent = server.requests[0]["response_format"]
    assert sent == {"type": "json_schema", "json_schema": {"name": "receipt", "schema": SCHEMA, "strict": True}}


def test_a_server_that_refuses_json_schema_is_asked_in_json_mode_from_then_on():
    def responder(req):
        if req["response_format"]["type"] == "json_schema":
            return Reply(status=500, body=b'{"error": {"message": "unsupported response_format"}}')
        return Reply("{}")

    with ScriptedLLMServer(responder) as server:
        client = client_for(server)
        client.complete(MESSAGES, "receipt", SCHEMA)
        client.complete(MESSAGES, "receipt", SCHEMA)
    assert [r["response_format"]["type"] for r in server.requests] == ["json_schema", "json_object", "json_object"]
    assert client.response_format == "json_object"


def test_llama_cpp_form_sends_the_schema_inside_json_object():
    with ScriptedLLMServer(lambda req: Reply("{}")) as server:
        client_for(server, response_format="json_object_schema").complete(MESSAGES, "receipt", SCHEMA)
    assert server.requests[0]["response_format"] == {"type": "json_object", "schema": SCHEMA}


@pytest.mark.parametrize(
    ("reply", "kind", "permanent"),
    [
        (Reply(status=401, body=b'{"error": {"message": "bad key"}}'), "auth", True),
        (Reply(status=404, body=b'{"error": {"message": "model not found"}}'), "not_found", True),
        (Reply(status=429, body=b'{"error": {"message": "slow down"}}'), "rate_limited", False),
        (Reply(status=503, body=b'{"error": {"message": "busy"}}'), "server_error", False),
        (
            Reply(body=json.dumps({"id": "x", "object": "chat.completion", "model": "m", "choices": []}).encode()),
            "malformed_response",
            False,
        ),
    ],
)
def test_faults_become_typed_errors(reply, kind, permanent):
    with ScriptedLLMServer(lambda req: reply) as server:
        with pytest.raises(LLMError) as err:
            client_for(server, response_format="json_schema").complete(MESSAGES, "receipt", SCHEMA)
    assert (err.value.kind, err.value.permanent) == (kind, permanent)
    assert "sk-test" not in str(err.value)


def test_transient_faults_are_retried_by_the_sdk_and_succeed_when_the_server_recovers():
    replies = [
        Reply(status=503, body=b"{}", headers={"retry-after-ms": "10"}),
        Reply(status=429, body=b"{}", headers={"retry-after": "0"}),
        Reply("{}"),
    ]
    with ScriptedLLMServer(lambda req: replies.pop(0)) as server:
        client = LLMClient(
            model="m", base_url=server.base_url, api_key="k", max_retries=2, response_format="json_schema"
        )
        assert client.complete(MESSAGES, "receipt", SCHEMA).text == "{}"
    assert len(server.requests) == 3
