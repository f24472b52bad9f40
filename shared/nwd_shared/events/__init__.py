"""Event contracts: the CloudEvents envelope and the v1 catalogue."""

from nwd_shared.events.catalogue import *  # noqa: F403
from nwd_shared.events.catalogue import dead_letter_topic, decode, topic_of  # noqa: F401
from nwd_shared.events.envelope import CloudEvent, EnvelopeError, EventData, Headers  # noqa: F401
