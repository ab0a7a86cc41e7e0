"""All models, assembled: what alembic compares the migrations against.

Each feature folder owns its models; importing them here registers their tables on
``Base.metadata``. Add a line when a feature gains a models module.
"""

from sqlalchemy import MetaData

from node.accounts import models as _account_models
from node.audit import models as _audit_models
from node.cases import models as _case_models
from node.db.base import Base
from node.identity import models as _identity_models
from node.inbox import models as _inbox_models
from node.members import models as _member_models
from node.metrics import models as _metrics_models
from node.moderation import models as _moderation_models
from node.notifications import models as _notification_models
from node.outbox import models as _outbox_models
from node.peers import models as _peer_models
from node.polls import models as _poll_models
from node.privacy import models as _privacy_models
from node.verification import models as _verification_models
from node.web import models as _web_models

MODEL_MODULES = (
    _account_models,
    _audit_models,
    _case_models,
    _identity_models,
    _inbox_models,
    _member_models,
    _metrics_models,
    _moderation_models,
    _notification_models,
    _outbox_models,
    _poll_models,
    _privacy_models,
    _peer_models,
    _verification_models,
    _web_models,
)


def metadata() -> MetaData:
    return Base.metadata
