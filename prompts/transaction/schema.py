"""One bank-statement line: when, how much, and what for (the example this project grew from)."""

from pydantic import BaseModel, ConfigDict, Field

from extraction_pipeline.doctypes.schemas import CurrencyCode, NonEmpty, PrintedDate, SignedAmount


class Transaction(BaseModel):
    """A bank transaction."""

    model_config = ConfigDict(extra="forbid")

    date: PrintedDate = Field(description="booking date exactly as printed")
    amount: SignedAmount
    concept: NonEmpty = Field(description="what the payment was for: the payee or description as printed")
    currency: CurrencyCode | None = Field(default=None, description="currency as printed, e.g. EUR, or null")
