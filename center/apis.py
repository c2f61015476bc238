from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from center import selectors
from center.models import Announcement, NetworkUnit


class MeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class MeOutput(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        display_name = serializers.CharField()
        role = serializers.CharField()
        department = serializers.CharField()
        network_unit = serializers.IntegerField(source="network_unit_id", allow_null=True)

    @extend_schema(responses=MeOutput)
    def get(self, request):
        return Response(self.MeOutput(request.user).data)


class NetworkUnitListApi(generics.ListAPIView):
    class NetworkUnitOutput(serializers.ModelSerializer):
        class Meta:
            model = NetworkUnit
            fields = ["id", "name", "code", "level", "parent"]

    serializer_class = NetworkUnitOutput
    queryset = NetworkUnit.objects.order_by("path")
    filterset_fields = ["level", "parent"]


class AnnouncementListApi(generics.ListAPIView):
    class AnnouncementOutput(serializers.ModelSerializer):
        class Meta:
            model = Announcement
            fields = ["id", "title", "body", "published_at"]

    serializer_class = AnnouncementOutput

    def get_queryset(self):
        return selectors.announcement_list().only("id", "title", "body", "published_at")


class TokenApi(ObtainAuthToken):
    """Exchange username and password for an API token (subject to the login lockout)."""
