"""JSON API for metrics: ``GET /api/v1/metrics``."""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from i18n.translate import gettext
from node.api.bodies import json_response
from node.api.problems import Problem
from node.api.routing import ApiRoutes
from node.members.auth import verified_member
from node.metrics.schemas import Metrics, MetricsQuery
from node.metrics.service import current_metrics
from node.state import node_state

api = ApiRoutes(tag="metrics")


@api.get(
    "/api/v1/metrics",
    summary="Crowdsourcing figures for this node and the network",
    query=MetricsQuery,
    response=Metrics,
    errors=(400, 403),
)
async def get_metrics(request: web.Request) -> web.Response:
    """Cases, views, replies, median time to the first reply and to resolution, the
    share resolved and the share whose author found what they needed: for the cases
    posted on this node (``node``) and for every case this node knows (``network``),
    over all time (``overall``) and over the last ``days`` days (``period``, default
    30), with the weekly series and first-reply-time buckets the metrics page draws.
    Computed at most once a minute (``metrics_max_age_seconds``); ``period.until`` says
    when."""
    verified_member(request)
    try:
        query = MetricsQuery.model_validate(dict(request.query))
    except ValidationError as error:
        details = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        raise Problem(
            400, gettext("Some query parameters are invalid."), slug="invalid-query", errors=details
        ) from None
    return json_response(await current_metrics(node_state(request), query.days))
