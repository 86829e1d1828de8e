"""Kinds of outside bodies people are referred to. Shared by consent and referral."""

import enum


class OrganisationKind(enum.StrEnum):
    CPAS = "cpas"
    LAWYER = "lawyer"
    FOREM = "forem"
    HEALTH_SERVICE = "health_service"
    OTHER = "other"


def same_organisation(a: str, b: str) -> bool:
    """Names typed by different staff differ in case and spacing only."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())
