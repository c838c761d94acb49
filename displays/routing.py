from django.urls import path

from displays import consumers

websocket_urlpatterns = [
    path("ws/displays/<int:number>/", consumers.DisplayConsumer.as_asgi()),
    path("ws/stations/<int:number>/", consumers.StationConsumer.as_asgi()),
    path("ws/commentary/<int:experience>/", consumers.CommentaryConsumer.as_asgi()),
    path("ws/staff/status/", consumers.StaffStatusConsumer.as_asgi()),
]
