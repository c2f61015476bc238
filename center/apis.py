from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from center import selectors
from center.api.shared import SharedListMixin
from center.caching import CENTER
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


class NetworkUnitListApi(SharedListMixin, generics.ListAPIView):
    cache_namespace = CENTER

    class NetworkUnitOutput(serializers.ModelSerializer):
        class Meta:
            model = NetworkUnit
            fields = ["id", "name", "code", "level", "parent"]

    serializer_class = NetworkUnitOutput
    queryset = NetworkUnit.objects.order_by("path")
    filterset_fields = ["level", "parent"]


class AnnouncementListApi(SharedListMixin, generics.ListAPIView):
    cache_namespace = CENTER

    class AnnouncementOutput(serializers.ModelSerializer):
        class Meta:
            model = Announcement
            fields = ["id", "title", "body", "published_at"]

    serializer_class = AnnouncementOutput

    def get_queryset(self):
        return selectors.announcement_list().only("id", "title", "body", "published_at")


class TokenApi(ObtainAuthToken):
    """Exchange username and password for an API token (subject to the login lockout)."""

    def post(self, request, *args, **kwargs):
        """An expired token is replaced by a new one (tokens last API_TOKEN_TTL_DAYS days)."""
        from django.utils import timezone
        from rest_framework.authtoken.models import Token

        from center.api.authentication import token_expires_at

        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token = Token.objects.filter(user=user).first()
        if token is not None and timezone.now() >= token_expires_at(token):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires": token_expires_at(token).isoformat()})
