"""Event contracts: the CloudEvents envelope and the v1 catalogue, one module per producer."""

from nwd_shared.events.cases import *  # noqa: F403
from nwd_shared.events.catalogue import (  # noqa: F401
    EVENT_TYPES,
    PRODUCERS,
    TYPE_NAMES,
    AnyEvent,
    decode,
    producer_of,
    topic_of,
    type_name,
)
from nwd_shared.events.common import *  # noqa: F403
from nwd_shared.events.contacts import *  # noqa: F403
from nwd_shared.events.envelope import (  # noqa: F401
    CloudEvent,
    EnvelopeError,
    EventData,
    Headers,
    UnknownEventType,
)
from nwd_shared.events.learning import *  # noqa: F403
from nwd_shared.events.referrals import *  # noqa: F403
from nwd_shared.events.triage import *  # noqa: F403
