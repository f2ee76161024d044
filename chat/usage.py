"""Token usage and its estimated cost, at the prices in settings (USD per million tokens)."""

from decimal import Decimal

from django.conf import settings


def estimate_cost(
    prompt_tokens: int | None, completion_tokens: int | None, cached_tokens: int | None = 0
) -> Decimal:
    """Prompt-cache hits (`cached_tokens`, part of `prompt_tokens`) at GROQ_PRICE_CACHED_INPUT_PER_M, the rest of
    the prompt at the input price, the completion (reasoning included) at the output price."""
    per_m = Decimal(1_000_000)
    cached = min(cached_tokens or 0, prompt_tokens or 0)
    cost = (
        Decimal((prompt_tokens or 0) - cached) * Decimal(str(settings.GROQ_PRICE_INPUT_PER_M)) / per_m
        + Decimal(cached) * Decimal(str(settings.GROQ_PRICE_CACHED_INPUT_PER_M)) / per_m
        + Decimal(completion_tokens or 0) * Decimal(str(settings.GROQ_PRICE_OUTPUT_PER_M)) / per_m
    )
    return cost.quantize(Decimal("0.000001"))
