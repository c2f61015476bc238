"""Work waiting for the journeys, added on top of the demo data (run once into the template).

Round 2027 (open call) gets one application in review with every review but the last one
submitted (the reviewer journey submits the last score) and one fully reviewed application
(the staff journey ranks and awards it). The other submitted applications stay to be
screened. Everything goes through the apps' services, as the portal itself would do it.
"""

from __future__ import annotations

import json
from decimal import Decimal


def run() -> dict:
    from center.models import User
    from ventures import services
    from ventures.models import Application, Criterion, Review

    staff = User.objects.get(username="staff_projects")
    apps = list(
        Application.objects.filter(status=Application.Status.SUBMITTED, round__year=2027).order_by("pk")
    )
    in_review, reviewed = apps[0], apps[1]
    criteria = list(Criterion.objects.filter(round=in_review.round).order_by("pk"))
    out = {}
    for app, pending in ((in_review, 1), (reviewed, 0)):
        services.screening_decide(application=app, by=staff, eligible=True, reason="材料齐全，符合申报条件")
        services.reviewers_assign(application=app, by=staff)
        reviews = list(Review.objects.filter(application=app).select_related("reviewer").order_by("pk"))
        for i, review in enumerate(reviews[: len(reviews) - pending]):
            scores = {c.pk: (Decimal(70 + (i * 3 + c.pk) % 25), "") for c in criteria}
            services.review_save(
                review=review, reviewer=review.reviewer, scores=scores, comment="", submit=True
            )
        if pending:
            out["pending_reviewer"] = reviews[-1].reviewer.username
            out["pending_application"] = app.pk
        else:
            out["reviewed_application"] = app.pk
    out["round"] = in_review.round_id
    return out


if __name__ == "__main__":  # python manage.py shell -c "from tests.browser import seed; seed.main()"
    print(json.dumps(run()))


def main() -> None:
    print(json.dumps(run()))
