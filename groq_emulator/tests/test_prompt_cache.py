"""The emulator reports prompt-cache hits like Groq: the tokens of the longest prefix an earlier request sent."""

from groq_emulator.prompt_cache import PromptCache

SYSTEM = {"role": "system", "content": "You manage tasks. " * 40}
TOOLS = [{"type": "function", "function": {"name": "add_task", "parameters": {"type": "object"}}}]


def _body(*messages):
    return {"tools": TOOLS, "messages": [SYSTEM, *messages]}


def test_a_first_request_has_no_hit_and_a_repeated_prefix_does():
    cache = PromptCache()
    first = _body({"role": "user", "content": "hello"})
    assert cache.cached_tokens(first, 1000) == 0
    longer = _body({"role": "user", "content": "hello"}, {"role": "assistant", "content": "Hi"})
    hit = cache.cached_tokens(longer, 1000)
    assert hit > 100  # the tools, the system prompt and the first message
    assert cache.cached_tokens(longer, 1000) > hit  # the whole of it, now
    assert cache.cached_tokens(longer, 50) == 50  # never more than the prompt


def test_a_changed_system_prompt_misses_and_reset_forgets():
    cache = PromptCache()
    cache.cached_tokens(_body({"role": "user", "content": "hello"}), 1000)
    other = {
        "tools": TOOLS,
        "messages": [{"role": "system", "content": "Other."}, {"role": "user", "content": "x"}],
    }
    assert 0 < cache.cached_tokens(other, 1000) < 30  # only the tool schemas match
    cache.reset()
    assert cache.cached_tokens(_body({"role": "user", "content": "hello"}), 1000) == 0
