from django.contrib import admin

from .models import TaskDelivery


@admin.register(TaskDelivery)
class TaskDeliveryAdmin(admin.ModelAdmin):
    list_display = ("task", "key", "attempts", "last_started_at", "abandoned_at")
    list_filter = ("task",)
    readonly_fields = ("task", "key", "attempts", "first_started_at", "last_started_at")
