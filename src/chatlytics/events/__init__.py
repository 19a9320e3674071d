"""The wire contract v1: the batch envelope, the event fields and the catalogue of event types."""

from chatlytics.events.catalogue import CATALOGUE, MESSAGE_TYPES, channel_of
from chatlytics.events.validate import Rejection, ValidEvent, validate_event

__all__ = ["CATALOGUE", "MESSAGE_TYPES", "Rejection", "ValidEvent", "channel_of", "validate_event"]
