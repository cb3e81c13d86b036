"""A supplier invoice: who issued it, its number and date, and what is due."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from extraction_pipeline.doctypes.schemas import Amount, CompanyName, CurrencyCode, NonEmpty


class Invoice(BaseModel):
    """A supplier invoice."""

    model_config = ConfigDict(extra="forbid")

    issuer: CompanyName = Field(description="name of the company that issued the invoice")
    invoice_number: NonEmpty = Field(description="the invoice number as printed")
    date: dt.date = Field(description="invoice date, ISO 8601 (YYYY-MM-DD)")
    total: Amount
    currency: CurrencyCode = Field(description="ISO 4217 code where known, e.g. EUR, USD, MYR")
