"""The fields of a contact attempt, defined as the entry's are (`cases.entry_fields`), so that
the same checks, one per kind, validate both, and the API and the form derive from one list.

The entry the attempt was for is not in this list: it is checked on its own (an entry of the
same association, or none).
"""

from django.utils.translation import gettext_lazy as _

from cases.entry_fields import BY_NAME, EntryField, Group, Kind

MAX_WAITED_MINUTES = 600
MAX_NOTES = 2000

ATTEMPT_FIELDS: tuple[EntryField, ...] = (
    # The same day, with the same limits, as the entry's.
    BY_NAME["occurred_on"],
    EntryField(
        "institution_kind",
        Kind.CODE,
        _("Kind of institution"),
        Group.PROCEDURE,
        section="referrer_types",
        set_by="institution",
    ),
    EntryField("institution", Kind.INSTITUTION, _("Institution"), Group.PROCEDURE),
    EntryField(
        "channel", Kind.CODE, _("Channel tried"), Group.PROCEDURE, section="attempt_channels"
    ),
    EntryField("result", Kind.CODE, _("Result"), Group.OUTCOME, section="attempt_results"),
    EntryField(
        "waited_minutes",
        Kind.INTEGER,
        _("Time lost (minutes)"),
        Group.OUTCOME,
        minimum=0,
        maximum=MAX_WAITED_MINUTES,
        messages={
            "invalid": _("Enter a whole number of minutes."),
            "range": _("The time lost must be between %(min)d and %(max)d minutes."),
        },
    ),
    EntryField(
        "notes",
        Kind.TEXT,
        _("Notes"),
        Group.OUTCOME,
        required=False,
        max_length=MAX_NOTES,
        messages={"too_long": _("The notes are too long (%(max)d characters at most).")},
    ),
)
ATTEMPT_FIELD_NAMES = (*(f.name for f in ATTEMPT_FIELDS), "assistance_request")
