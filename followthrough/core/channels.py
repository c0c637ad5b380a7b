"""Ways to reach a person, and how a kind of touch maps to the medium a person can refuse."""

from enum import StrEnum


class Medium(StrEnum):
    """What a contact states a preference about (DESIGN C1)."""

    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"
    MAIL = "mail"
    IN_PERSON = "in_person"
    SOCIAL = "social"


class Preference(StrEnum):
    PREFERRED = "preferred"
    OK = "ok"
    REFUSED = "refused"


class TouchChannel(StrEnum):
    """The kind of touch logged or planned. Several kinds share one medium (a card is mail)."""

    CALL = "call"
    TEXT = "text"
    EMAIL = "email"
    MEETING = "meeting"
    LETTER = "letter"
    NOTE = "note"
    CARD = "card"
    GIFT = "gift"
    EVENT = "event"
    SOCIAL = "social"
    OTHER = "other"


TOUCH_LABELS: dict[TouchChannel, str] = {
    TouchChannel.CALL: "Call",
    TouchChannel.TEXT: "Text message",
    TouchChannel.EMAIL: "Email",
    TouchChannel.MEETING: "Meeting",
    TouchChannel.LETTER: "Letter",
    TouchChannel.NOTE: "Handwritten note",
    TouchChannel.CARD: "Card",
    TouchChannel.GIFT: "Gift",
    TouchChannel.EVENT: "Event",
    TouchChannel.SOCIAL: "Social media",
    TouchChannel.OTHER: "Other",
}

MEDIUM_OF: dict[TouchChannel, Medium | None] = {
    TouchChannel.CALL: Medium.PHONE,
    TouchChannel.TEXT: Medium.TEXT,
    TouchChannel.EMAIL: Medium.EMAIL,
    TouchChannel.MEETING: Medium.IN_PERSON,
    TouchChannel.LETTER: Medium.MAIL,
    TouchChannel.NOTE: Medium.MAIL,
    TouchChannel.CARD: Medium.MAIL,
    TouchChannel.GIFT: Medium.MAIL,
    TouchChannel.EVENT: Medium.IN_PERSON,
    TouchChannel.SOCIAL: Medium.SOCIAL,
    TouchChannel.OTHER: None,
}

# The touch used when only a medium is known ("they prefer mail" → a letter).
DEFAULT_TOUCH: dict[Medium, TouchChannel] = {
    Medium.PHONE: TouchChannel.CALL,
    Medium.TEXT: TouchChannel.TEXT,
    Medium.EMAIL: TouchChannel.EMAIL,
    Medium.MAIL: TouchChannel.LETTER,
    Medium.IN_PERSON: TouchChannel.MEETING,
    Medium.SOCIAL: TouchChannel.SOCIAL,
}

# Fallback order when the planned medium is refused and nothing is preferred: the personal,
# cheap ones first; in person last because it needs the most arranging.
FALLBACK_ORDER: tuple[Medium, ...] = (
    Medium.EMAIL,
    Medium.PHONE,
    Medium.TEXT,
    Medium.MAIL,
    Medium.SOCIAL,
    Medium.IN_PERSON,
)
