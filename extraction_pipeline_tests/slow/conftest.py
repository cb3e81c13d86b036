"""Everything in this folder needs a real service: the local model, a webserver and daemon, a
browser, PostgreSQL, or a process killed mid-run. `make check` skips them; `make test` runs them."""

import pytest


def pytest_collection_modifyitems(items):
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.slow)
