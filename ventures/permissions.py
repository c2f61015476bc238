"""Who may do what in ventures. Organization membership comes from organizations.selectors."""

from __future__ import annotations

from organizations import selectors as org_selectors


def is_projects_staff(user) -> bool:
    """Staff of the Project Management Department (项目管理部); center admins belong to it too."""
    return bool(getattr(user, "is_authenticated", False) and user.in_department("projects"))


def is_member_of_applicant(user, application) -> bool:
    return org_selectors.user_is_member(user, application.organization_id)


def may_view_application(user, application) -> bool:
    """Applicant organization members and projects staff. Reviewers go through their review."""
    return is_projects_staff(user) or is_member_of_applicant(user, application)
