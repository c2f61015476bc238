"""Request logging (one structured line per request) and the bench harness's query header."""

import logging
import time

from django.conf import settings
from django.db import connection

logger = logging.getLogger("center.request")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.count_queries = settings.BENCH_QUERY_HEADER

    def __call__(self, request):
        start = time.perf_counter()
        if self.count_queries:
            queries = []

            def _count(execute, sql, params, many, context):
                queries.append(1)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(_count):
                response = self.get_response(request)
            response["X-Query-Count"] = str(len(queries))
        else:
            response = self.get_response(request)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code >= 500 or elapsed > 1000:
            logger.warning(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round(elapsed, 1),
                },
            )
        return response
