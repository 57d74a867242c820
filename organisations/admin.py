"""Staff admin for users, federations, associations and memberships."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .letterhead import LETTERHEAD_FIELDS, enterprise_number_compact
from .models import (
    Association,
    Federation,
    FederationMembership,
    Membership,
    User,
)
from .services import membership_role_error, validate_organisation_slug
from .signals import hourly_cost_changed


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        # Log-in is by email, case-insensitively: store it the way the manager does.
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class MembershipForm(forms.ModelForm):
    """The role must suit the organisation: workers and directors in associations, analysts in
    federations (the same rule as `create_member`)."""

    class Meta:
        model = Membership
        fields = ("user", "organisation", "role")

    def clean(self):
        cleaned = super().clean()
        organisation, role = cleaned.get("organisation"), cleaned.get("role")
        if organisation is not None and role:
            error = membership_role_error(organisation, role)
            if error:
                self.add_error("role", error)
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "preferred_language", "is_active", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", "preferred_language", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline]

    def get_inlines(self, request, obj):
        # Memberships are added once the user exists.
        return self.inlines if obj is not None else []


class AssociationFederationInline(admin.TabularInline):
    model = FederationMembership
    fk_name = "association"
    extra = 0
    fields = ("federation", "shares_aggregates", "joined_at")
    readonly_fields = ("joined_at",)


class FederationAssociationInline(admin.TabularInline):
    model = FederationMembership
    fk_name = "federation"
    extra = 0
    fields = ("association", "shares_aggregates", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("association",)


class OrganisationForm(forms.ModelForm):
    """The slug follows the rule of the set-up commands (lower-case letters, digits, hyphens)."""

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        validate_organisation_slug(slug)
        return slug


class AssociationForm(OrganisationForm):
    class Meta:
        model = Association
        fields = (
            "name",
            "slug",
            "region",
            "hourly_cost_eur",
            "retention_years",
            *LETTERHEAD_FIELDS,
        )

    def clean_enterprise_number(self):
        # Stored as its ten digits, however it was typed (the model's validator checked it).
        number = self.cleaned_data["enterprise_number"]
        return enterprise_number_compact(number) if number else ""


class FederationForm(OrganisationForm):
    class Meta:
        model = Federation
        fields = ("name", "slug", "disclosure_k")


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    form = AssociationForm
    list_display = (
        "name",
        "slug",
        "region",
        "postcode",
        "hourly_cost_eur",
        "retention_years",
        "created_at",
    )
    list_filter = ("region", "federations")
    search_fields = ("name", "slug", "postcode")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "region", "hourly_cost_eur", "retention_years")}),
        (_("Letterhead"), {"fields": LETTERHEAD_FIELDS}),
    )
    inlines = [AssociationFederationInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "hourly_cost_eur" in form.changed_data:
            # A new hourly cost revalues the association's figures (as the settings service does).
            hourly_cost_changed.send(sender=Association, association=obj, actor=request.user)


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    form = FederationForm
    list_display = ("name", "slug", "disclosure_k", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)
    fields = ("name", "slug", "disclosure_k")
    inlines = [FederationAssociationInline]


@admin.register(FederationMembership)
class FederationMembershipAdmin(admin.ModelAdmin):
    list_display = ("association", "federation", "shares_aggregates", "joined_at")
    list_filter = ("shares_aggregates", "federation")
    search_fields = ("association__name", "association__slug", "federation__name")
    autocomplete_fields = ("association", "federation")
    list_select_related = ("association", "federation")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "organisation", "organisation_kind", "role", "created_at")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__email", "user__full_name", "organisation__name", "organisation__slug")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "organisation")

    @admin.display(description=_("kind"), ordering="organisation__kind")
    def organisation_kind(self, obj):
        return obj.organisation.get_kind_display()
