"""A shop receipt: who sold, when, where (when it says), what was bought and what was paid."""

from pydantic import BaseModel, ConfigDict, Field

from extraction_pipeline.doctypes.schemas import Amount, CompanyName, CurrencyCode, LineItem, NonEmpty, PrintedDate


class Receipt(BaseModel):
    """A shop receipt."""

    model_config = ConfigDict(extra="forbid")

    line_items: list[LineItem] = Field(default_factory=list, description="the items bought, in order")
    company: CompanyName | None = Field(description="name of the seller as printed at the top; null if none")
    date: PrintedDate | None = Field(description="date of purchase exactly as printed; null if none")
    address: NonEmpty | None = Field(
        description="seller's full address as printed, lines joined with spaces; null if none"
    )
    total: Amount
    currency: CurrencyCode | None = Field(default=None, description="currency as printed, e.g. RM, USD")
