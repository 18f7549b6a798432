"""Every model of every feature, imported in one place so that the metadata (and Alembic) sees them all."""

from advanced_alchemy.base import orm_registry

from surveys.accounts.models import PasswordReset, Role, User
from surveys.actions.models import ActionPlan, ActionStatus
from surveys.audit.models import AuditEvent
from surveys.collection.models import Channel, Comment, Response, SealedResponse
from surveys.instruments.models import InstrumentVersion
from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.privacy.models import RetentionPolicy
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.security.models import StoreEntry, ThrottleWindow
from surveys.sso.models import SsoConfig, SsoDomain
from surveys.waves.models import Invitation, OpenLink, Wave, WaveState, WaveTeam

metadata = orm_registry.metadata

__all__ = [
    "ActionPlan",
    "ActionStatus",
    "AuditEvent",
    "Channel",
    "Comment",
    "Customer",
    "DeliveryStatus",
    "EmailDelivery",
    "Employee",
    "InstrumentVersion",
    "Invitation",
    "MailKind",
    "OpenLink",
    "Organisation",
    "PasswordReset",
    "ReportRecord",
    "ReportStatus",
    "Response",
    "RetentionPolicy",
    "Role",
    "SealedResponse",
    "SsoConfig",
    "SsoDomain",
    "StoreEntry",
    "Team",
    "TeamResultRow",
    "ThrottleWindow",
    "User",
    "Wave",
    "WaveAnalysisRecord",
    "WaveState",
    "WaveTeam",
    "metadata",
]
