"""Database tables (SQLAlchemy 2.x declarative models).

Every table has a surrogate integer id plus a natural key enforced by a unique
constraint. No column holds a wall-clock time of the write, so storing the same
``CycleResult`` twice leaves identical content. Migrations (not ``create_all``)
create the tables; ``migrations/versions`` must stay in step with this module.
The ``lineage`` view (migration 0002) is not a model: see ``nianbao.io.db.lineage``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from nianbao.core.numbers import normal

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AMOUNT_DIGITS = 18  # NUMERIC(18, 4): digits in all
AMOUNT_PLACES = 4  # decimal places; STEP is nianbao.core.numbers.PRECISION (a test checks)
STEP = Decimal(1).scaleb(-AMOUNT_PLACES)
LIMIT = Decimal(10) ** (AMOUNT_DIGITS - AMOUNT_PLACES)


def storable(value: Decimal) -> Decimal:
    """The value as stored (4 decimal places); ValueError when that would change it."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"not a finite Decimal: {value!r}")
    try:
        stored = value.quantize(STEP)
    except InvalidOperation as exc:
        raise ValueError(f"value out of range for NUMERIC(18,4): {value}") from exc
    if stored != value or abs(stored) >= LIMIT:
        raise ValueError(f"value not storable exactly as NUMERIC(18,4): {value}")
    return stored


class Amount(TypeDecorator[Decimal]):
    """Exact decimal in NUMERIC(18,4), read back in ``normal`` form.

    SQLite has no decimal type and keeps the value as a double, which is exact for
    the 4-decimal values used here up to about 10**11.
    """

    impl = Numeric(AMOUNT_DIGITS, AMOUNT_PLACES)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else storable(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else normal(Decimal(value))


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetime, stored as a naive UTC timestamp on every backend."""

    impl = DateTime()
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime (timezone required): {value.isoformat()}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Cycle(Base):
    """A report year; ``inputs_sha256`` names the run whose results the rows reflect."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    format: Mapped[str] = mapped_column(String(32))
    inputs_sha256: Mapped[str | None] = mapped_column(String(64))


class UnitRow(Base):
    """A department or township (``nianbao.core.model.Unit``)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)


class RosterEntry(Base):
    """A unit expected in a cycle, in roster order, with its current status (incl. missing)."""

    __tablename__ = "cycle_units"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    parent: Mapped[str] = mapped_column(String(64), server_default=text("''"))  # its group


class GroupRow(Base):
    """A group of a cycle's roster (a row of kind 分组), in roster order."""

    __tablename__ = "cycle_groups"
    __table_args__ = (UniqueConstraint("cycle_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    parent: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class GroupTotal(Base):
    """A group's total of one cell: the sum of the accepted units below it."""

    __tablename__ = "group_totals"
    __table_args__ = (UniqueConstraint("group_id", "cell_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("cycle_groups.id", ondelete="CASCADE"))
    cell_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Amount())


class SubmissionRow(Base):
    """One file a unit returned in a cycle (``nianbao.core.model.Submission``), with the
    key of what its check read and the check's outcome (``nianbao.core.checked``)."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id", "sha256"), Index(None, "check_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    file: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(32))
    check_key: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(Text)


class CellValue(Base):
    """One figure of a submission."""

    __tablename__ = "cell_values"
    __table_args__ = (UniqueConstraint("submission_id", "cell_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    cell_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Amount())


class FindingRow(Base):
    """A finding of the cycle's latest run; ``seq`` orders them within the cycle."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("cycle_id", "seq"),
        Index(None, "submission_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(Text)
    file: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    sheet: Mapped[str] = mapped_column(Text)
    cell: Mapped[str] = mapped_column(Text)
    row_path: Mapped[str] = mapped_column(Text)  # JSON list of labels
    column_path: Mapped[str] = mapped_column(Text)  # JSON list of labels
    expected: Mapped[str] = mapped_column(Text)
    actual: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    # How suspicious a plausibility warning is (the review list's order); 0 for the others.
    significance: Mapped[float] = mapped_column(Float, server_default="0")


class Total(Base):
    """A consolidated city figure."""

    __tablename__ = "totals"
    __table_args__ = (UniqueConstraint("cycle_id", "cell_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    cell_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Amount())


class Run(Base):
    """One distinct set of inputs processed for a cycle."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("cycle_id", "inputs_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(32))
    first_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    n_units: Mapped[int] = mapped_column(Integer)
    n_accepted: Mapped[int] = mapped_column(Integer)
    n_rejected: Mapped[int] = mapped_column(Integer)


def table_of(model: type[Base]) -> Table:
    """The model's table (typed: ``__table__`` is declared as a ``FromClause``)."""
    return cast(Table, model.__table__)


class CellLocation(Base):
    """Where a format's value cell sits in the unit workbook (sheet, A1 cell, labels).

    Filled per format when a cycle is stored; the ``lineage`` view joins it.
    """

    __tablename__ = "cell_locations"
    __table_args__ = (UniqueConstraint("format", "cell_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    cell_id: Mapped[str] = mapped_column(String(100))
    sheet: Mapped[str] = mapped_column(Text)
    cell: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(Text)


class ReviewEvent(Base):
    """One audit row (``nianbao.core.review.Event``): append-only, enforced by triggers
    (migration 0004) that raise on UPDATE and DELETE."""

    __tablename__ = "review_events"
    __table_args__ = (Index(None, "year", "unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    finding: Mapped[str] = mapped_column(String(64))
    version: Mapped[int | None] = mapped_column(Integer)


class Version(Base):
    """A finalized (定稿) version of a year: who made it, the SHA-256 of the published
    files copied under ``output/<year>/定稿/v<N>/``. Append-only, like its rows below."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(32))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    files: Mapped[str] = mapped_column(Text)  # JSON {file name: sha256}


class VersionUnit(Base):
    """A roster unit in a version: the file (sha256, "" for none) whose figures it counted,
    or ``excused``."""

    __tablename__ = "version_units"
    __table_args__ = (UniqueConstraint("version_id", "unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    unit: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))


class VersionValue(Base):
    """A figure of a version: a unit's (``unit`` its code) or the total (``unit`` ""); zeros
    are not stored."""

    __tablename__ = "version_values"
    __table_args__ = (UniqueConstraint("version_id", "unit", "cell_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    unit: Mapped[str] = mapped_column(String(64))
    cell_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Amount())
