"""A shop receipt: who sold, when, where, and what was paid."""

from pydantic import BaseModel, ConfigDict, Field

from extraction_pipeline.doctypes.schemas import Amount, CompanyName, CurrencyCode, NonEmpty, PrintedDate


class Receipt(BaseModel):
    """A shop receipt."""

    model_config = ConfigDict(extra="forbid")

    company: CompanyName = Field(description="name of the seller as printed, usually the first line")
    date: PrintedDate = Field(description="date of purchase exactly as printed")
    address: NonEmpty = Field(description="seller's full address as printed, lines joined with spaces")
    total: Amount
    currency: CurrencyCode | None = Field(default=None, description="currency as printed, e.g. RM, USD")
