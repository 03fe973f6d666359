from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.review_list, name="review"),
    path("<int:pk>/keep/", views.review_keep, name="keep"),
    path("<int:pk>/delete/", views.review_delete, name="delete"),
]
