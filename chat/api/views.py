"""The chat as JSON (and server-sent events). Thin: validate, hand the turn to the engine, serialize.

A turn started here is also streamed live to the owner's pages showing the conversation, like one started on the
page (chat.web.streams.TurnStream, without a local socket): they see the question, then the reply grow, and can
stop it. `POST /api/conversations/{id}/stop/` stops a conversation's running turn, wherever it was started."""

from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from django.db import close_old_connections
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors, services
from chat.api.parsers import AnyContentTypeJSONObjectParser
from chat.api.serializers import (
    ChatInputSerializer,
    ChatOutputSerializer,
    ConversationDetailOutputSerializer,
    ConversationOutputSerializer,
    ConversationPageSerializer,
    ConversationRenameInputSerializer,
    ConversationStopOutputSerializer,
    ErrorSerializer,
    MessageOutputSerializer,
    MessagePageQuerySerializer,
)
from chat.api.streaming import turn_sse
from chat.errors import MessageNotFound
from chat.turn.engine import Turn
from chat.turn.limits import turn_running
from chat.turn.start import start_turn, start_turn_from_thread
from chat.web.streams import TurnStream
from core import broadcast

_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input, e.g. an empty or over-long message."),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    404: OpenApiResponse(ErrorSerializer, description="No such conversation (of yours)."),
    409: OpenApiResponse(ErrorSerializer, description="A turn is still running in this conversation."),
    429: OpenApiResponse(
        ErrorSerializer,
        description="rate_limited (CHAT_RATE_PER_MINUTE in 60 s) or daily_quota_reached (CHAT_DAILY_TOKENS today, "
        "UTC); `retry_after` seconds, also in Retry-After.",
    ),
    502: OpenApiResponse(
        ErrorSerializer, description="The model failed (bad upstream answer, cut-off stream)."
    ),
    503: OpenApiResponse(ErrorSerializer, description="The model is unavailable or rate-limited upstream."),
    504: OpenApiResponse(ErrorSerializer, description="The turn exceeded AGENT_TIMEOUT."),
}
_CHAT_DOC = (
    "Send a message; the assistant may call tools on your tasks. The user's message is saved before the model "
    "is called. With `Accept: text/event-stream` the answer streams as server-sent events "
    "(started, reasoning, text, tool_call, tool_result, then done or error)."
)


class ChatApi(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False):
        # An SSE client still gets JSON for errors raised before the stream starts (400, 404, 429).
        if "text/event-stream" in request.headers.get("Accept", ""):
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        request=ChatInputSerializer,
        responses={200: ChatOutputSerializer, **_ERRORS},
        description=_CHAT_DOC,
        examples=[
            OpenApiExample("Add a task", value={"message": "Add a task to buy milk", "conversation_id": None})
        ],
    )
    def post(self, request: Request) -> Response | StreamingHttpResponse:
        return self.chat(request)

    def chat(self, request: Request) -> Response | StreamingHttpResponse:
        data = ChatInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        start = {
            "user": request.user,
            "text": data.validated_data["message"],
            "conversation_id": data.validated_data["conversation_id"],
        }
        if "text/event-stream" in request.headers.get("Accept", ""):
            # The turn's task lives on the server's event loop; the response streams its events.
            turn = start_turn_from_thread(**start, then=_follow_on_pages)
            # It runs (and the events stream) for a while: the request's database connection goes back to the
            # pool now rather than when the response ends (PostgreSQL; SQLite keeps its connection per thread).
            close_old_connections()
            response = StreamingHttpResponse(turn_sse(turn), content_type="text/event-stream")
            response["Cache-Control"] = "no-cache"
            response["X-Accel-Buffering"] = "no"
            return response
        close_old_connections()  # as above: the turn runs for a while
        result = async_to_sync(_run_to_end)(start)
        if result.error is not None:
            body = {
                "message": result.error.message,
                "code": result.error.code,
                "conversation_id": result.conversation_id,
                "response": result.response,  # whatever had arrived (saved as partial), or ""
            }
            return Response(body, status=result.error.http_status)
        return Response(
            ChatOutputSerializer(
                {
                    "conversation_id": result.conversation_id,
                    "response": result.response,
                    "tool_calls": result.tool_calls,
                    "offline_demo": result.offline_demo,
                    "status": result.status,
                    "notice": result.notice,
                }
            ).data
        )


class LegacyChatApi(ChatApi):
    """`POST /api/{user_id}/chat`: the original design's endpoint. The id must be the authenticated user's.
    The body is a JSON object whatever the Content-Type (the original README's curl sends a form type)."""

    parser_classes = [AnyContentTypeJSONObjectParser]

    @extend_schema(
        operation_id="legacy_chat",
        request=ChatInputSerializer,
        responses={200: ChatOutputSerializer, 403: OpenApiResponse(ErrorSerializer), **_ERRORS},
        description="The original endpoint, kept for existing clients. " + _CHAT_DOC,
    )
    def post(self, request: Request, user_id: int) -> Response | StreamingHttpResponse:
        if user_id != request.user.pk:
            raise PermissionDenied("You can only chat as yourself.")
        return self.chat(request)


def _follow_on_pages(turn: Turn) -> None:
    """The turn's stream to the owner's pages (it runs on the server's loop, like the turn)."""
    TurnStream(turn).start()


async def _run_to_end(start: dict):
    turn = await start_turn(**start)
    stream = TurnStream(turn).start()
    result = await turn.result()
    await stream.finished()  # its last frame is out (a few ms after the result): pages show the end too
    return result


class ConversationListApi(APIView):
    @extend_schema(operation_id="conversations_list", responses=ConversationPageSerializer)
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.conversation_list(owner=request.user), request, view=self
        )
        return paginator.get_paginated_response(ConversationOutputSerializer(page, many=True).data)


class ConversationDetailApi(APIView):
    @extend_schema(
        parameters=[MessagePageQuerySerializer],
        responses={
            200: ConversationDetailOutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="A `before` or `limit` that is not allowed."),
            404: OpenApiResponse(
                ErrorSerializer,
                description="No such conversation of yours (conversation_not_found), or `before` is not one of "
                "its messages (message_not_found).",
            ),
        },
        description="The conversation with one page of its messages, oldest first within the page: the newest "
        "page, then follow `next` for the messages before it (null once the page reaches the start).",
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = selectors.conversation_get(owner=request.user, conversation_id=conversation_id)
        query = MessagePageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        before, limit = query.validated_data.get("before"), query.validated_data["limit"]
        if before is not None and selectors.message_get(
            owner=request.user, message_id=before
        ).conversation_id != (conversation.pk):
            raise MessageNotFound(message_id=before)
        messages, earlier = selectors.message_page(conversation=conversation, before=before, limit=limit)
        data = ConversationOutputSerializer(conversation).data
        data["messages"] = MessageOutputSerializer(messages, many=True).data
        data["next"] = (
            request.build_absolute_uri(f"{request.path}?{urlencode({'before': earlier, 'limit': limit})}")
            if earlier
            else None
        )
        return Response(data)

    @extend_schema(
        request=ConversationRenameInputSerializer, responses={200: ConversationOutputSerializer, **_ERRORS}
    )
    def patch(self, request: Request, conversation_id: int) -> Response:
        data = ConversationRenameInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_rename(
            owner=request.user, conversation_id=conversation_id, title=data.validated_data["title"]
        )
        return Response(ConversationOutputSerializer(conversation).data)

    @extend_schema(responses={204: None, 404: _ERRORS[404]})
    def delete(self, request: Request, conversation_id: int) -> Response:
        services.conversation_delete(owner=request.user, conversation_id=conversation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConversationStopApi(APIView):
    @extend_schema(
        operation_id="conversations_stop",
        request=None,
        responses={
            202: OpenApiResponse(
                ConversationStopOutputSerializer,
                description="A turn was running: it was asked to stop (it ends shortly, its reply saved as stopped).",
            ),
            200: OpenApiResponse(
                ConversationStopOutputSerializer, description="No turn is running in this conversation."
            ),
            401: _ERRORS[401],
            404: _ERRORS[404],
        },
        description="Stop the reply being generated in one of your conversations, wherever it was started (a chat "
        "page, another API call) and on whichever server process it runs. What had arrived is kept, marked "
        "stopped; every page showing the conversation shows the end.",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = selectors.conversation_get(owner=request.user, conversation_id=conversation_id)
        running = turn_running(conversation.pk)
        if running:
            broadcast.stop_turn(request.user.pk, conversation_id=conversation.pk)
        body = ConversationStopOutputSerializer(
            {"conversation_id": conversation.pk, "stopping": running}
        ).data
        return Response(body, status=status.HTTP_202_ACCEPTED if running else status.HTTP_200_OK)
