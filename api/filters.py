"""Query filters of the association resources.

Dates are inclusive; a code field filters by its code (a list field matches when it contains
the code; `procedure_domain=tax` matches `tax` and its procedures). A value that is not a
date or not a code of the taxonomy is a 400 naming the parameter, never an empty list.
"""

import django_filters
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from attempts.models import ContactAttempt
from cases import selectors
from cases.models import LANGUAGE_CODES, AssistanceRequest, IncidentSheet, Person
from mandates.models import Mandate
from referrals.models import INSTITUTION_KINDS, Institution
from taxonomy import get_taxonomy

from .permissions import request_association


def _choices(section):
    return [(code, code) for code in get_taxonomy().codes(section)]


def _code_filter(section, **kwargs):
    return django_filters.ChoiceFilter(choices=_choices(section), **kwargs)


def _procedure_filter(queryset, name, value):
    return queryset.filter(Q(**{name: value}) | Q(**{f"{name}__startswith": f"{value}."}))


def _scoped_persons(request):
    association = request_association(request) if request is not None else None
    if association is None:
        return Person.objects.none()
    return selectors.person_list_for_association(association=association)


class OccurredFilterSet(django_filters.FilterSet):
    """The period filters every dated list takes (both dates inclusive)."""

    occurred_after = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")


class AssistanceRequestFilter(OccurredFilterSet):
    channel = _code_filter("channels")
    procedure_domain = _code_filter("procedure_domains", method=_procedure_filter)
    referrer_kind = _code_filter("referrer_types")
    responsible_kind = _code_filter("referrer_types")
    mode = _code_filter("assistance_modes")
    outcome = _code_filter("outcomes")
    consent = _code_filter("consent_types")
    # One row per (entry, code): filtering on one code cannot repeat an entry.
    barriers = _code_filter("digital_barriers", field_name="barriers__code")
    sensitive_flags = _code_filter("sensitive_data_flags", field_name="sensitive_flags__code")
    referred_by = django_filters.ModelChoiceFilter(queryset=Institution.objects.all())
    responsible_institution = django_filters.ModelChoiceFilter(queryset=Institution.objects.all())
    person = django_filters.ModelChoiceFilter(queryset=_scoped_persons)

    class Meta:
        model = AssistanceRequest
        fields = []


def _scoped_entries(request):
    association = request_association(request) if request is not None else None
    if association is None:
        return AssistanceRequest.objects.none()
    return selectors.assistance_request_list_for_association(association=association)


class ContactAttemptFilter(OccurredFilterSet):
    institution_kind = _code_filter("referrer_types")
    institution = django_filters.ModelChoiceFilter(queryset=Institution.objects.all())
    channel = _code_filter("attempt_channels")
    result = _code_filter("attempt_results")
    assistance_request = django_filters.ModelChoiceFilter(queryset=_scoped_entries)

    class Meta:
        model = ContactAttempt
        fields = []


def _barrier_contained(queryset, name, value):
    if connection.vendor == "postgresql":
        return queryset.filter(**{f"{name}__contains": [value]})
    # SQLite has no JSON containment; codes are quoted in the stored text and never overlap.
    return queryset.filter(**{f"{name}__icontains": f'"{value}"'})


class IncidentSheetFilter(OccurredFilterSet):
    procedure_domain = _code_filter("procedure_domains", method=_procedure_filter)
    responsible_kind = _code_filter("referrer_types")
    responsible_institution = django_filters.ModelChoiceFilter(queryset=Institution.objects.all())
    barriers = _code_filter("digital_barriers", method=_barrier_contained)
    shared = django_filters.BooleanFilter()

    class Meta:
        model = IncidentSheet
        fields = []


class PersonFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()
    language = django_filters.ChoiceFilter(choices=[(c, c) for c in LANGUAGE_CODES])
    postcode = django_filters.CharFilter()

    class Meta:
        model = Person
        fields = []


class InstitutionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=[(c, c) for c in INSTITUTION_KINDS])
    postcode = django_filters.CharFilter()
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Institution
        fields = []


class StrictOrderingFilter(OrderingFilter):
    """`ordering` over the view's explicit `ordering_fields` only; another field is a 400."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            allowed = {name for name, _label in self.get_valid_fields(queryset, view, {})}
            bad = [f for f in fields if f.lstrip("-") not in allowed]
            if bad:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Unknown ordering: %(fields)s. Use one of: %(allowed)s.")
                            % {"fields": ", ".join(bad), "allowed": ", ".join(sorted(allowed))}
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)


class MandateFilter(django_filters.FilterSet):
    person = django_filters.ModelChoiceFilter(queryset=_scoped_persons)

    class Meta:
        model = Mandate
        fields = []
