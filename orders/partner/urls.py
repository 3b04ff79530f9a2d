from django.urls import path  # noqa: F401

app_name = "work_orders"

urlpatterns: list = []
