"""Talking to LLMs: the one client, which server, the embedded model, prompts, cost, cache, rate limits and budgets."""
