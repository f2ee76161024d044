"""The assistant's settings: the model (GROQ_*), the turn (AGENT_*) and what a user may send (CHAT_*)."""

from .env import env

GROQ_API_KEY = env("GROQ_API_KEY", default="")  # empty: the built-in offline emulator answers
GROQ_BASE_URL = env("GROQ_BASE_URL", default="")  # empty: Groq's own (or the emulator when there is no key)
GROQ_MODEL = env("GROQ_MODEL", default="openai/gpt-oss-120b")
GROQ_TEMPERATURE = env.float("GROQ_TEMPERATURE", default=1.0)
GROQ_MAX_TOKENS = env.int("GROQ_MAX_TOKENS", default=8192)
GROQ_TOP_P = env.float("GROQ_TOP_P", default=1.0)
GROQ_REASONING_EFFORT = env("GROQ_REASONING_EFFORT", default="medium")
GROQ_TOOL_MODE = env("GROQ_TOOL_MODE", default="native")  # native | prompt
GROQ_MAX_RETRIES = env.int("GROQ_MAX_RETRIES", default=2)
GROQ_HISTORY_TOKEN_BUDGET = env.int("GROQ_HISTORY_TOKEN_BUDGET", default=6000)
# USD per million tokens, for the admin's cost estimate.
GROQ_PRICE_INPUT_PER_M = env.float("GROQ_PRICE_INPUT_PER_M", default=0.15)
GROQ_PRICE_OUTPUT_PER_M = env.float("GROQ_PRICE_OUTPUT_PER_M", default=0.60)
# Prompt-cache hits (usage.prompt_tokens_details.cached_tokens) are billed at half the input price.
GROQ_PRICE_CACHED_INPUT_PER_M = env.float("GROQ_PRICE_CACHED_INPUT_PER_M", default=0.075)
AGENT_TIMEOUT = env.float("AGENT_TIMEOUT", default=30.0)  # seconds for one whole chat turn
# The turn lock's lease (seconds): a worker killed mid-turn frees its conversation after this. Unset (None): the
# running AGENT_TIMEOUT + 10, so a turn that obeys its deadline always finishes inside its lease.
CHAT_TURN_LEASE_SECONDS = env.float("CHAT_TURN_LEASE_SECONDS", default=None)
# Threads per process for a turn's hops after its first (tool rounds, answer, end) on PostgreSQL: their waits for
# the server overlap (chat.turn.hop_context). Each holds a pooled connection while it runs: keep it under
# DJANGO_DB_POOL_MAX. 0: the one database thread, as on SQLite.
CHAT_TURN_HOP_THREADS = env.int("CHAT_TURN_HOP_THREADS", default=4)
AGENT_MAX_TOOL_ROUNDS = env.int("AGENT_MAX_TOOL_ROUNDS", default=5)
AGENT_MAX_TOOL_CALLS = env.int(
    "AGENT_MAX_TOOL_CALLS", default=10
)  # per turn; later calls get an error result
AGENT_TOOL_ARGUMENTS_MAX_CHARS = env.int("AGENT_TOOL_ARGUMENTS_MAX_CHARS", default=8000)
CHAT_MESSAGE_MAX_CHARS = 4096
CHAT_WS_MAX_FRAME_BYTES = 64 * 1024
CHAT_RATE_PER_MINUTE = env.int("CHAT_RATE_PER_MINUTE", default=20)  # in any 60 s (a sliding window)
# Tokens (prompt + completion) a user may spend per UTC day, counted from chat.models.UsageDay.
CHAT_DAILY_TOKENS = env.int("CHAT_DAILY_TOKENS", default=1_000_000)
# The largest frame the server sends on the chat websocket; a bigger one becomes a "too large" notice.
CHAT_WS_MAX_SERVER_FRAME_BYTES = env.int("CHAT_WS_MAX_SERVER_FRAME_BYTES", default=256 * 1024)
# stop / view / malformed frames one socket may send per window; more are ignored (one notice).
CHAT_WS_CONTROL_FRAMES = env.int("CHAT_WS_CONTROL_FRAMES", default=20)
CHAT_WS_CONTROL_WINDOW_SECONDS = env.float("CHAT_WS_CONTROL_WINDOW_SECONDS", default=10.0)
