from django.contrib import admin

from .models import ApplicantDomain, OrgSystem, Service, ServiceGroup, TechnicalPerson


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ("provider", "name_fa", "name_en", "platform", "is_free", "cost", "added_on", "active")


@admin.register(ServiceGroup)
class ServiceGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    search_fields = ("name",)
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name_fa", "name_en", "provider", "group", "platform", "is_free", "active")
    list_filter = ("platform", "is_free", "active", "group")
    search_fields = ("name_fa", "name_en", "provider")
    date_hierarchy = "added_on"


@admin.register(OrgSystem)
class OrgSystemAdmin(admin.ModelAdmin):
    list_display = ("title", "applicant", "ip_address", "platform", "created_at")
    list_filter = ("platform",)
    search_fields = ("title", "applicant__display_name", "applicant__identifier", "ip_address")
    raw_id_fields = ("applicant",)


@admin.register(TechnicalPerson)
class TechnicalPersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "applicant", "mobile", "email")
    search_fields = ("last_name", "first_name", "email", "applicant__display_name")
    raw_id_fields = ("applicant",)


@admin.register(ApplicantDomain)
class ApplicantDomainAdmin(admin.ModelAdmin):
    list_display = ("applicant", "email_domain", "set_at")
    search_fields = ("email_domain", "applicant__display_name", "applicant__identifier")
    raw_id_fields = ("applicant",)
