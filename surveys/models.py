"""Every model of every feature, imported in one place so that the metadata (and Alembic) sees them all."""

from advanced_alchemy.base import orm_registry

from surveys.collection.models import Answer, Channel, Comment, Response
from surveys.instruments.models import InstrumentVersion
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.results.models import TeamResultRow
from surveys.waves.models import Invitation, OpenLink, Wave, WaveState

metadata = orm_registry.metadata

__all__ = [
    "Answer",
    "Channel",
    "Comment",
    "Customer",
    "Employee",
    "InstrumentVersion",
    "Invitation",
    "OpenLink",
    "Organisation",
    "Response",
    "Team",
    "TeamResultRow",
    "Wave",
    "WaveState",
    "metadata",
]
