"""Query expressions the visibility rules share."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Expression, F, Lookup, QuerySet


class _EqualsAny(Lookup):
    """`lhs = ANY(rhs)`, rhs an array."""

    lookup_name = "equals_any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)

    @property
    def output_field(self) -> BooleanField:
        return BooleanField()


def among(field: str, ids: QuerySet) -> Expression:
    """A filter: `field` is one of the ids `ids` selects (one column).

    PostgreSQL computes the ids once, as an array, and looks each one up by index. Written as
    `field IN (subquery)`, the planner guesses how many ids the subquery gives from the
    table's averages; one borough's few thousand among a register of a million can be
    guessed at hundreds of thousands, and it then reads the whole table to join them. For an
    array it cannot see into, it assumes a handful, and uses the index: the cost then follows
    the ids there really are.
    """
    return _EqualsAny(F(field), ArraySubquery(ids))
