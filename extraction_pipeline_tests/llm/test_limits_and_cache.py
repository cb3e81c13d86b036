"""Never pay twice, never outrun the provider's limits, never overspend a budget."""

import pytest

from extraction_pipeline.doctypes.schemas import llm_json_schema
from extraction_pipeline.llm.budget import RunBudget
from extraction_pipeline.llm.cache import AnswerCache, request_key
from extraction_pipeline.llm.client import LLMClient, LLMError
from extraction_pipeline.llm.ratelimit import HEADROOM, RateLimiter
from extraction_pipeline_tests.support.helpers import RECEIPT
from extraction_pipeline_tests.support.scripted_llm_server import Reply, ScriptedLLMServer

Receipt = RECEIPT.model

SCHEMA = llm_json_schema(Receipt)
BASE = {
    "model": "m",
    "messages": [{"role": "user", "content": "doc"}],
    "temperature": 0.0,
    "max_tokens": 400,
    "response_format": {"type": "json_object"},
}


@pytest.mark.parametrize(
    "change",
    [{"model": "m2"}, {"messages": [{"role": "user", "content": "doc 2"}]}, {"temperature": 0.7}, {"max_tokens": 100},
     {"response_format": {"type": "json_object", "schema": SCHEMA}}],
)  # fmt: skip
def test_anything_that_changes_the_answer_changes_the_key(change):
    assert request_key({**BASE, **change}) != request_key(BASE)


def test_key_does_not_depend_on_dict_order():
    assert request_key(dict(reversed(list(BASE.items())))) == request_key(BASE)


def test_answers_survive_a_new_process(tmp_path):
    AnswerCache(tmp_path / "c.sqlite3").put("k", {"text": "x"})
    assert AnswerCache(tmp_path / "c.sqlite3").get("k") == {"text": "x"}


def test_the_same_request_is_paid_once_and_a_changed_prompt_is_asked_again(tmp_path):
    with ScriptedLLMServer(lambda req: Reply("{}", prompt_tokens=1000, completion_tokens=100)) as server:

        def client():
            return LLMClient(
                model="gpt-4o-mini", base_url=server.base_url, api_key="k", cache=AnswerCache(tmp_path / "c.sqlite3")
            )

        first = client().complete([{"role": "user", "content": "receipt A"}], "receipt", SCHEMA)
        again = client()
        second = again.complete([{"role": "user", "content": "receipt A"}], "receipt", SCHEMA)
        client().complete([{"role": "user", "content": "receipt A, new prompt"}], "receipt", SCHEMA)
    assert len(server.requests) == 2
    assert not first.cached and second.cached and second.cost_usd == 0.0 and second.text == first.text
    assert again.stats.cache_hits == 1 and again.stats.saved_cost_usd == pytest.approx(first.cost_usd)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_requests_are_spaced_evenly_under_the_rpm_limit():
    clock = FakeClock()
    limiter = RateLimiter(rpm=120, clock=clock, sleep=lambda s: None)
    waits = [limiter.acquire(100) for _ in range(4)]
    gap = 0.5 / HEADROOM  # 120 a minute, with a little headroom for jitter
    assert waits == pytest.approx([0.0, gap, 2 * gap, 3 * gap])


def test_tokens_per_minute_paces_by_request_size():
    clock = FakeClock()
    limiter = RateLimiter(tpm=6000, clock=clock, sleep=lambda s: None)
    assert limiter.acquire(1000) == 0.0  # the next may go 1000 * 60 / 6000 = 10 s later (plus headroom)
    assert limiter.acquire(500) == pytest.approx(10.0 / HEADROOM)
    assert limiter.waited_s == pytest.approx(10.0 / HEADROOM)


def test_a_pause_holds_every_request_not_yet_sent_and_keeps_a_slot_for_the_retry():
    clock = FakeClock()
    limiter = RateLimiter(rpm=60, clock=clock, sleep=lambda s: None)
    limiter.pause(3.0)  # the refused request goes again at 3 s
    assert limiter.acquire(1) == pytest.approx(3.0 + 1.0 / HEADROOM)


def test_a_429_pauses_the_run_for_what_retry_after_says_and_is_counted(tmp_path):
    replies = [Reply(status=429, body=b"{}", headers={"retry-after-ms": "300"}), Reply("{}")]
    with ScriptedLLMServer(lambda req: replies.pop(0)) as server:
        limiter = RateLimiter()
        client = LLMClient(model="m", base_url=server.base_url, api_key="k", max_retries=2, limiter=limiter)
        client.complete([{"role": "user", "content": "x"}], "receipt", SCHEMA)
    assert (client.stats.requests, client.stats.http_attempts, client.stats.throttled) == (1, 2, 1)
    assert limiter._paused_until > 0  # later requests of the run wait out the same pause


def test_run_budget_stops_new_requests_once_spent(tmp_path):
    with ScriptedLLMServer(lambda req: Reply("{}", prompt_tokens=900, completion_tokens=100)) as server:
        client = LLMClient(model="m", base_url=server.base_url, api_key="k", budget=RunBudget(max_tokens=1500))
        client.complete([{"role": "user", "content": "a"}], "receipt", SCHEMA)
        client.complete([{"role": "user", "content": "b"}], "receipt", SCHEMA)
        with pytest.raises(LLMError) as err:
            client.complete([{"role": "user", "content": "c"}], "receipt", SCHEMA)
    assert err.value.kind == "budget" and "1500 tokens" in str(err.value)
    assert len(server.requests) == 2
