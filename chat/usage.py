"""Token usage and its estimated cost, at the prices in settings (USD per million tokens)."""

from decimal import Decimal

from django.conf import settings


def estimate_cost(prompt_tokens: int | None, completion_tokens: int | None) -> Decimal:
    per_m = Decimal(1_000_000)
    cost = (
        Decimal(prompt_tokens or 0) * Decimal(str(settings.GROQ_PRICE_INPUT_PER_M)) / per_m
        + Decimal(completion_tokens or 0) * Decimal(str(settings.GROQ_PRICE_OUTPUT_PER_M)) / per_m
    )
    return cost.quantize(Decimal("0.000001"))
