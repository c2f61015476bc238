"""Celery tasks: take ids or nothing, call a service, safe to run twice."""

from celery import shared_task


@shared_task(name="organizations.tasks.annual_reminders")
def annual_reminders() -> int:
    from organizations.services import annual_reminders_send, campaigns_enroll_open

    campaigns_enroll_open()
    return annual_reminders_send()


@shared_task(name="organizations.tasks.abnormal_list")
def abnormal_list() -> int:
    from organizations.services import abnormal_list_draw_up

    return abnormal_list_draw_up()


@shared_task(name="organizations.tasks.grade_expiry_reminders")
def grade_expiry_reminders() -> int:
    from organizations.services import grade_expiry_reminders_send

    return grade_expiry_reminders_send()


@shared_task(name="organizations.tasks.import_batch_run")
def import_batch_run(batch_id: int) -> int:
    from organizations.imports import import_run

    return import_run(batch_id=batch_id)


@shared_task(name="organizations.tasks.import_batches_requeue")
def import_batches_requeue() -> int:
    """Queue again the imports marked running that no worker holds (lost on the way)."""
    from organizations.imports import import_batches_requeue as requeue

    return requeue()
