"""What the public sees: records of published issues, and what they lead to.

Every record read from an issue is public when its issue is published. People,
posts and tenures have no issue of their own: they are public when a published
record names them. Each function returns a QuerySet to chain filters on; the
people ones are one EXISTS per link, answered from the foreign-key indexes.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet, Value

from people.models import Person, Post, Tenure
from records.models import (
    Article,
    Attendance,
    CorrelatedExists,
    Gazette,
    GazetteStatus,
    Meeting,
    NameListEntry,
    PersonnelDecision,
    Publication,
    Vote,
    in_published_issue,
    quoted_table,
)

PUBLISHED = GazetteStatus.PUBLISHED
# Every other status, by name: an index finds them, which "not published" it cannot.
UNPUBLISHED = [status for status in GazetteStatus.values if status != PUBLISHED]


class Status(Value):
    """An issue status written into the SQL itself, not sent as a parameter.

    PostgreSQL keeps one plan for a statement a connection repeats (portal.settings,
    PORTAL_PG_PREPARE), made without the parameters' values. Planned for "a status",
    the check that none of a tenure's decisions is in an unpublished issue expected
    half the issues to be unpublished, and the API's tenure list went from about 20 ms
    a request to 31–39 (10,000 issues); planned for "draft", it knows there are few.
    """

    def __init__(self, status: str) -> None:
        if status not in GazetteStatus.values:
            raise ValueError(f"not an issue status: {status!r}")
        super().__init__(status)

    def as_sql(self, compiler, connection):
        return f"'{self.value}'", []  # one of GazetteStatus's values: no quote in any


def published_gazettes() -> QuerySet:
    return Gazette.objects.published()


def published_articles() -> QuerySet:
    return Article.objects.filter(in_published_issue())


def published_meetings() -> QuerySet:
    return Meeting.objects.filter(in_published_issue())


def published_attendance() -> QuerySet:
    return Attendance.objects.filter(in_published_issue())


def published_decisions() -> QuerySet:
    return PersonnelDecision.objects.filter(in_published_issue())


def published_votes() -> QuerySet:
    return Vote.objects.filter(in_published_issue())


def visible_publications() -> QuerySet:
    return Publication.objects.filter(
        CorrelatedExists(
            f"SELECT 1 FROM {quoted_table(Gazette)} g "
            "WHERE g.publication_id = {outer} AND g.status = %s",
            "pk",
            [str(PUBLISHED)],
        )
    )


def named_in_published_record(ref: str = "pk") -> CorrelatedExists:
    """True when a published decision, attendance record or name list names the person.

    One EXISTS over a UNION ALL of the three, not three EXISTS joined by OR:
    PostgreSQL turns OR'ed EXISTS into hashed subplans that read every
    decision, attendance row and name-list entry of the site before the first
    person is returned (a page of /api/v1/people/ read three whole tables);
    this form probes the three person_id indexes for each person it looks at.

    Written as SQL rather than as three ORM subqueries: building those took
    7 ms of a request each time a list or a person's page asked who is
    public, far more than the database took to answer. The issue's status is
    tested as ``in_published_issue`` does: a join on PostgreSQL, a correlated
    EXISTS on SQLite.
    """
    gazettes = quoted_table(Gazette)
    selects = []
    for model in (PersonnelDecision, Attendance, NameListEntry):
        if connection.vendor == "postgresql":
            selects.append(
                f"SELECT 1 FROM {quoted_table(model)} r JOIN {gazettes} g ON g.id = r.gazette_id "
                "WHERE r.person_id = {outer} AND g.status = %s"
            )
        else:
            selects.append(
                f"SELECT 1 FROM {quoted_table(model)} r WHERE r.person_id = {{outer}} AND EXISTS "
                f"(SELECT 1 FROM {gazettes} g WHERE g.id = r.gazette_id AND g.status = %s)"
            )
    return CorrelatedExists(" UNION ALL ".join(selects), ref, [str(PUBLISHED)] * len(selects))


def person_is_public(ref: str = "pk") -> Q:
    """People named by a published decision, attendance record or name list."""
    return Q(named_in_published_record(ref))


def visible_people() -> QuerySet:
    return Person.objects.filter(person_is_public())


def visible_posts() -> QuerySet:
    through = PersonnelDecision.posts.through
    decision = through._meta.get_field("personneldecision").column
    post = through._meta.get_field("post").column
    return Post.objects.filter(
        CorrelatedExists(
            f"SELECT 1 FROM {quoted_table(through)} dp "
            f"JOIN {quoted_table(PersonnelDecision)} d ON d.id = dp.{decision} "
            f"JOIN {quoted_table(Gazette)} g ON g.id = d.gazette_id "
            f"WHERE dp.{post} = {{outer}} AND g.status = %s",
            "pk",
            [str(PUBLISHED)],
        )
    )


# "The issue is under review", the statuses written into the SQL (Status).
IN_REVIEW = " OR ".join(
    f"g.status = {Status(status).as_sql(None, None)[0]}" for status in UNPUBLISHED
)


def visible_tenures() -> QuerySet:
    """Derived tenures whose every decision is public; a clerk's own of a public person.

    A tenure closed by a decision still in review stays hidden until that
    issue is published, so no unpublished date leaks through it.
    """

    def unpublished(decision: str) -> Q:
        # "No decision of this tenure is in an unpublished issue": one NOT EXISTS each,
        # which PostgreSQL answers from the few decisions under review. A join through
        # each decision to its issue made it plan a post's holders longer than it took
        # to find them, and "no decision, or one in a published issue" (an OR) made it
        # hash every published decision for each page of the API.
        return Q(
            CorrelatedExists(
                f"SELECT 1 FROM {quoted_table(PersonnelDecision)} d "
                f"JOIN {quoted_table(Gazette)} g ON g.id = d.gazette_id "
                f"WHERE ({IN_REVIEW}) AND d.id = {{outer}}",
                decision,
            )
        )

    derived = Q(derived=True) & ~unpublished("start_decision_id") & ~unpublished("end_decision_id")
    own = Q(derived=False) & person_is_public("person_id")
    return Tenure.objects.filter(derived | own)
