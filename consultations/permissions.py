"""Who may do what in consultations.

Staff of the resource development department (who keep relations with government
departments and run trainings) and center administrators manage events, consultations and
research; every center staff member may look. A government department's contact account
sees only what was forwarded to that department.
"""

from __future__ import annotations


def is_consultation_staff(user) -> bool:
    """May see the staff pages."""
    return bool(user and user.is_authenticated and user.is_center_staff)


def may_manage(user) -> bool:
    """May change events, registrations, consultations and research topics."""
    return bool(user and user.is_authenticated and user.in_department("resource"))


def department_contact_of(user):
    """The user's active DepartmentContact, or None."""
    if not (user and user.is_authenticated):
        return None
    from consultations.models import DepartmentContact

    return (
        DepartmentContact.objects.select_related("department")
        .filter(user=user, active=True, department__active=True)
        .first()
    )


def may_answer_forward(user, forward) -> bool:
    """The contacts of the department it was forwarded to, and the managing staff."""
    if may_manage(user):
        return True
    contact = department_contact_of(user)
    return bool(contact and contact.department_id == forward.department_id)
