from django.urls import path

from offenders import views

app_name = "offenders"

urlpatterns = [
    path("", views.nominal_index, name="index"),
]
