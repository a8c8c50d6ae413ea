"""The migrated database is the ERD (SPEC §1): tables, columns, NOT NULL, defaults, indexes, FKs, CHECKs.

The ERD is transcribed below from `seed/ERD.md`; the test reads the live schema (Django's
introspection plus each vendor's catalog) so it fails when a model or migration drifts from it.
Runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

# --- the ERD, transcribed -----------------------------------------------------------------------
TS = {"created_at": "datetime", "updated_at": "datetime"}
ERD_TABLES: dict[str, dict[str, str]] = {
    "users": {
        "id": "integer",
        "email": "string",
        "name": "string",
        "password_digest": "string",
        "role": "string",
        "preferred_language": "string",
        "preferred_currency": "string",
        **TS,
    },
    "clients": {
        "id": "integer",
        "name": "string",
        "phone": "string",
        "email": "string",
        "preferred_language": "string",
        "notes": "text",
        **TS,
    },
    "leads": {
        "id": "integer",
        "client_id": "integer",
        "status": "string",
        "source": "string",
        "assigned_agent_id": "integer",
        "tour_interest_id": "integer",
        "unread_messages_count": "integer",
        "last_message_at": "datetime",
        **TS,
    },
    "tours": {
        "id": "integer",
        "name": "string",
        "description": "text",
        "base_price": "decimal",
        "currency": "string",
        "capacity": "integer",
        "duration_days": "integer",
        "active": "boolean",
        **TS,
    },
    "tour_departures": {
        "id": "integer",
        "tour_id": "integer",
        "departure_date": "date",
        "price": "decimal",
        "currency": "string",
        "capacity": "integer",
        **TS,
    },
    "bookings": {
        "id": "integer",
        "client_id": "integer",
        "lead_id": "integer",
        "tour_departure_id": "integer",
        "num_participants": "integer",
        "total_amount": "decimal",
        "currency": "string",
        "status": "string",
        **TS,
    },
    "communications": {
        "id": "integer",
        "client_id": "integer",
        "lead_id": "integer",
        "booking_id": "integer",
        "communication_type": "string",
        "direction": "string",
        "body": "text",
        "subject": "string",
        "whatsapp_message_id": "string",
        "whatsapp_status": "string",
        "media_url": "string",
        "media_type": "string",
        **TS,
    },
    "payments": {
        "id": "integer",
        "booking_id": "integer",
        "amount": "decimal",
        "currency": "string",
        "payment_date": "date",
        "payment_method": "string",
        "status": "string",
        **TS,
    },
    "whatsapp_templates": {
        "id": "integer",
        "name": "string",
        "content": "text",
        "category": "string",
        "variables": "text",
        "active": "boolean",
        **TS,
    },
}

# Columns the ERD marks NOT NULL (plus every primary key).
ERD_NOT_NULL: set[tuple[str, str]] = {
    ("users", "email"),
    ("users", "name"),
    ("users", "password_digest"),
    ("users", "role"),
    ("clients", "name"),
    ("clients", "phone"),
    ("leads", "client_id"),
    ("leads", "status"),
    ("leads", "source"),
    ("tour_departures", "tour_id"),
    ("bookings", "client_id"),
    ("bookings", "tour_departure_id"),
    ("communications", "client_id"),
    ("communications", "communication_type"),
    ("communications", "direction"),
    ("payments", "booking_id"),
} | {(table, "id") for table in ERD_TABLES}

ERD_DEFAULTS: dict[str, dict[str, Any]] = {
    "users": {"role": "agent", "preferred_language": "ru", "preferred_currency": "KZT"},
    "leads": {"status": "new", "source": "whatsapp", "unread_messages_count": 0},
}

ERD_FOREIGN_KEYS: set[tuple[str, str, str]] = {
    ("leads", "client_id", "clients"),
    ("leads", "assigned_agent_id", "users"),
    ("leads", "tour_interest_id", "tours"),
    ("bookings", "client_id", "clients"),
    ("bookings", "lead_id", "leads"),
    ("bookings", "tour_departure_id", "tour_departures"),
    ("tour_departures", "tour_id", "tours"),
    ("payments", "booking_id", "bookings"),
    ("communications", "client_id", "clients"),
    ("communications", "lead_id", "leads"),
    ("communications", "booking_id", "bookings"),
}

ERD_UNIQUE_INDEXES = {("users", "email"), ("clients", "phone"), ("bookings", "lead_id")}
ERD_INDEXES = {(table, column) for table, column, _ in ERD_FOREIGN_KEYS} | {
    ("leads", "status"),
    ("leads", "source"),
    ("communications", "communication_type"),
    ("communications", "whatsapp_message_id"),
    ("clients", "created_at"),
}

CURRENCIES = ["USD", "KZT", "EUR", "RUB"]
ERD_ENUMS: dict[tuple[str, str], list[str]] = {
    ("users", "role"): ["agent", "manager", "admin"],
    ("users", "preferred_language"): ["en", "ru"],
    ("clients", "preferred_language"): ["en", "ru"],
    ("users", "preferred_currency"): CURRENCIES,
    ("bookings", "currency"): CURRENCIES,
    ("payments", "currency"): CURRENCIES,
    ("leads", "status"): ["new", "contacted", "qualified", "quoted", "won", "lost"],
    ("leads", "source"): ["whatsapp", "website", "manual", "import"],
    ("bookings", "status"): ["confirmed", "paid", "completed", "cancelled"],
    ("communications", "communication_type"): ["whatsapp", "email", "phone", "sms"],
    ("communications", "direction"): ["inbound", "outbound"],
    # SPEC §2 names these too.
    ("payments", "status"): ["pending", "completed", "failed", "refunded"],
    ("payments", "payment_method"): ["cash", "card", "bank_transfer", "kaspi", "other"],
}

# Django's introspected field class for each ERD type.
TYPE_FAMILIES = {
    "integer": {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    },
    "string": {"CharField"},
    "text": {"TextField"},
    "decimal": {"DecimalField"},
    "datetime": {"DateTimeField"},
    "date": {"DateField"},
    "boolean": {"BooleanField"},
}


# --- reading the live schema --------------------------------------------------------------------
def _columns(table: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        return {
            col.name: col for col in connection.introspection.get_table_description(cursor, table)
        }


def _constraints(table: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def _catalog_foreign_keys(table: str) -> set[tuple[str, str]]:
    """(column, referenced table) straight from the vendor's catalog."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'PRAGMA foreign_key_list("{table}")')
            # id, seq, table, from, to, on_update, on_delete, match
            return {(row[3], row[2]) for row in cursor.fetchall()}
        cursor.execute(
            """
            SELECT a.attname, ref.relname
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_class ref ON ref.oid = c.confrelid
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.contype = 'f' AND t.relname = %s
            """,
            [table],
        )
        return {(row[0], row[1]) for row in cursor.fetchall()}


def _catalog_indexes(table: str) -> list[tuple[bool, list[str]]]:
    """(unique, columns in order) of every index, straight from the vendor's catalog."""
    result: list[tuple[bool, list[str]]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'PRAGMA index_list("{table}")')
            for row in cursor.fetchall():  # seq, name, unique, origin, partial
                cursor.execute(f'PRAGMA index_info("{row[1]}")')
                columns = [info[2] for info in sorted(cursor.fetchall())]
                result.append((bool(row[2]), columns))
            return result
        cursor.execute(
            """
            SELECT ix.indisunique, array_agg(a.attname ORDER BY k.ord)
            FROM pg_index ix
            JOIN pg_class t ON t.oid = ix.indrelid
            CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
            LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
            WHERE t.relname = %s
            GROUP BY ix.indexrelid, ix.indisunique
            """,
            [table],
        )
        return [(bool(unique), [c for c in columns]) for unique, columns in cursor.fetchall()]


# --- tables and columns -------------------------------------------------------------------------
@pytest.mark.django_db
def test_every_erd_table_exists() -> None:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert set(ERD_TABLES) - tables == set()


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(ERD_TABLES))
def test_every_erd_column_exists_with_its_type(table: str) -> None:
    columns = _columns(table)
    missing = set(ERD_TABLES[table]) - set(columns)
    assert missing == set(), f"{table} lacks {sorted(missing)}"
    with connection.cursor():
        for name, erd_type in ERD_TABLES[table].items():
            col = columns[name]
            field = connection.introspection.get_field_type(col.type_code, col)
            assert field in TYPE_FAMILIES[erd_type], f"{table}.{name} is {field}, ERD: {erd_type}"


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(ERD_TABLES))
def test_erd_not_null_columns_are_not_null(table: str) -> None:
    columns = _columns(table)
    for name in ERD_TABLES[table]:
        must_be_not_null = (table, name) in ERD_NOT_NULL
        if must_be_not_null:
            assert not columns[name].null_ok, f"{table}.{name} must be NOT NULL"


@pytest.mark.django_db
def test_the_erd_defaults_are_database_defaults(make_client: Any) -> None:
    client = make_client()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO users (email, name, password_digest) VALUES (%s, %s, %s)",
            ["raw@dreamland.test", "Raw", "!"],
        )
        cursor.execute(
            "SELECT role, preferred_language, preferred_currency FROM users WHERE email = %s",
            ["raw@dreamland.test"],
        )
        user_row = cursor.fetchone()
        cursor.execute("INSERT INTO leads (client_id) VALUES (%s)", [client.pk])
        cursor.execute(
            "SELECT status, source, unread_messages_count FROM leads WHERE client_id = %s",
            [client.pk],
        )
        lead_row = cursor.fetchone()
    assert dict(zip(ERD_DEFAULTS["users"], user_row, strict=True)) == ERD_DEFAULTS["users"]
    assert dict(zip(ERD_DEFAULTS["leads"], lead_row, strict=True)) == ERD_DEFAULTS["leads"]


# --- keys and indexes ---------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(ERD_TABLES))
def test_every_erd_foreign_key_exists(table: str) -> None:
    expected = {(col, ref) for t, col, ref in ERD_FOREIGN_KEYS if t == table}
    from_catalog = _catalog_foreign_keys(table)
    from_django = {
        (c["columns"][0], c["foreign_key"][0])
        for c in _constraints(table).values()
        if c["foreign_key"]
    }
    assert expected - from_catalog == set()
    assert expected - from_django == set()


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(ERD_TABLES))
def test_every_erd_index_exists(table: str) -> None:
    indexes = _catalog_indexes(table)
    leading = {columns[0] for _, columns in indexes if columns}
    for t, column in ERD_INDEXES:
        if t == table:
            assert column in leading, f"no index starts with {table}.{column}"


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "column"), sorted(ERD_UNIQUE_INDEXES))
def test_every_erd_unique_index_is_unique_on_that_column_alone(table: str, column: str) -> None:
    assert (True, [column]) in _catalog_indexes(table)


# --- enums --------------------------------------------------------------------------------------
@pytest.fixture
def one_row_each(make_client: Any, make_departure: Any) -> dict[str, int]:
    from dreamland.accounts.models import User
    from dreamland.bookings.models import Booking, Payment
    from dreamland.leads.models import Lead
    from dreamland.messaging.models import Communication

    client = make_client()
    user = User.objects.create_user(email="enum@dreamland.test", password="x", name="Enum")
    departure = make_departure()
    lead = Lead.objects.create(client=client)
    booking = Booking.objects.create(
        client=client, lead=lead, tour_departure=departure, num_participants=1, currency="KZT"
    )
    payment = Payment.objects.create(booking=booking, amount=1, currency="KZT")
    comm = Communication.objects.create(
        client=client, communication_type="whatsapp", direction="inbound"
    )
    return {
        "users": user.pk,
        "clients": client.pk,
        "leads": lead.pk,
        "bookings": booking.pk,
        "payments": payment.pk,
        "communications": comm.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "column"), sorted(ERD_ENUMS))
def test_the_database_rejects_a_value_outside_the_enum(
    one_row_each: dict[str, int], table: str, column: str
) -> None:
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s"  # noqa: S608 (ERD names)
    with connection.cursor() as cursor:
        for value in ERD_ENUMS[(table, column)]:  # every listed value is accepted …
            with transaction.atomic():
                cursor.execute(sql, [value, one_row_each[table]])
        with pytest.raises(IntegrityError), transaction.atomic():  # … and nothing else
            # Short enough for the narrowest column: the CHECK must say no, not the length.
            cursor.execute(sql, ["zz", one_row_each[table]])
