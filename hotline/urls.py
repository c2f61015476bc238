from django.http import HttpResponse
from django.urls import path

app_name = "hotline"

urlpatterns = [
    path("hotline/tickets/<str:number>/", lambda r, number: HttpResponse(""), name="ticket_detail"),
]
