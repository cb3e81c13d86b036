"""A supplier invoice (or credit note): who issued it, its number and date, its totals and its lines."""

from pydantic import BaseModel, ConfigDict, Field

from extraction_pipeline.doctypes.schemas import (
    CompanyName,
    IsoCurrencyCode,
    LineItem,
    NonEmpty,
    PrintedDate,
    SignedAmount,
)


class Invoice(BaseModel):
    """A supplier invoice."""

    model_config = ConfigDict(extra="forbid")

    issuer: CompanyName = Field(
        description="the seller: the company that supplies the goods or services and is paid (on a self-billed "
        "invoice, the supplier, not the customer who wrote it)"
    )
    invoice_number: NonEmpty = Field(description="the invoice number as printed")
    date: PrintedDate = Field(description="the invoice date exactly as printed")
    currency: IsoCurrencyCode = Field(description="ISO 4217 code of the amounts, e.g. EUR, USD, MYR")
    net_total: SignedAmount | None = Field(default=None, description="total before tax; negative on a credit note")
    tax_total: SignedAmount | None = Field(default=None, description="total tax (VAT); null if none is printed")
    total: SignedAmount = Field(description="gross total including tax; negative on a credit note")
    line_items: list[LineItem] = Field(default_factory=list, description="every line of the item table, in order")
