"""The embedded default: real llama.cpp server, real GGUF weights, real receipts."""

import pytest

from extraction_pipeline.llm.local_model import (
    LocalModelError,
    require_loopback,
)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_the_embedded_server_refuses_any_interface_but_loopback(host):
    with pytest.raises(LocalModelError, match="loopback only"):
        require_loopback(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_is_allowed(host):
    require_loopback(host)
