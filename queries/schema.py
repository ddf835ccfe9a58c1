"""The database schema: one MetaData for every table, shared by queries and migrations.

Raw incidents are kept for drill-down and re-aggregation; every trend is read from
``incident_count``, monthly counts per area that each import rebuilds for the months it
touches, so no request scans police.uk's raw incidents (``queries/count_tables.py`` keeps that
promise). Partners' records are the exception by design: their times of day and dates are
grouped from the raw rows of one source (``queries/incidents.py``, through the index on source
and month), as a partner source holds hundreds of records a month, not tens of thousands.
"""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Districts, counties and force areas (the LSOAs incidents fall in are in ``lsoa``).
area = Table(
    "area",
    metadata,
    Column("code", String(9), primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", String(10), nullable=False),
    Column("parent_code", String(9), ForeignKey("area.code")),
)

# LSOAs met in imported files, under both the 2011 and 2021 vintages.
lsoa = Table(
    "lsoa",
    metadata,
    Column("code", String(9), primary_key=True),
    Column("name", Text, nullable=False),
    Column("district_code", String(9), ForeignKey("area.code"), nullable=False),
    # An area's LSOAs are looked up by district: with every force loaded, a scan read 35,000.
    Index("ix_lsoa_district_code", "district_code"),
)

# Mid-year population estimates for areas or LSOAs, one row per code and year.
population = Table(
    "population",
    metadata,
    Column("code", String(9), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("population", Integer, nullable=False),
    Column("source", Text, nullable=False),
)

# One row per file imported (or demo set written): what, when, by whom and how it went.
import_log = Table(
    "import_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("filename", Text, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", Text, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_stored", Integer, nullable=False),
    Column("outcome", Text, nullable=False),
)

# Which force-months hold incidents, and whether they are synthetic demo data: a month
# with no row here is "not loaded", not "zero incidents".
loaded_month = Table(
    "loaded_month",
    metadata,
    Column("force_code", String(9), ForeignKey("area.code"), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("is_synthetic", Boolean, nullable=False),
    Column("rows_stored", Integer, nullable=False),
    Column("import_id", Integer, ForeignKey("import_log.id"), nullable=False),
)

# Force-months data.police.uk did not publish: a whole-country archive of the month holds no
# street file for the force (Greater Manchester from mid-2019, for one). A month neither here
# nor in ``loaded_month`` is missing: published, perhaps, but not loaded.
unpublished_month = Table(
    "unpublished_month",
    metadata,
    Column("force_code", String(9), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("evidence", Text, nullable=False),  # the archive (or the person) that showed it
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# data.police.uk's anonymised map points ("On or near ..." with coordinates) within an LSOA.
place = Table(
    "place",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lsoa_code", String(9), nullable=False),
    Column("district_code", String(9), nullable=False),
    Column("name", Text, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("latitude", Float, nullable=False),
    UniqueConstraint("lsoa_code", "name", "longitude", "latitude"),
    # An area's map points are looked up by district (hotspots, street names, LSOA centres).
    Index("ix_place_district_code", "district_code", "id"),
)

# Incidents of every source (``queries/incident_sources.py``): data.police.uk street-level
# rows (sources police-crime and police-asb) and partners' own records. ``district_code`` is
# NULL for rows with no location, which count at force level only. Partner records also keep
# their date, time of day (weekday 0 = Monday, hour), how precisely their location is known
# and their source-specific fields (JSON); police.uk rows have months only.
SOURCE_DEFAULT = "police-crime"
incident = Table(
    "incident",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(24), nullable=False, server_default=SOURCE_DEFAULT),
    Column("force_code", String(9), nullable=False),
    Column("month", String(7), nullable=False),
    Column("crime_id", String(64)),
    Column("crime_type", String(32), nullable=False),
    Column("district_code", String(9)),
    Column("lsoa_code", String(9)),
    Column("location", Text),
    Column("longitude", Float),
    Column("latitude", Float),
    Column("place_id", Integer),
    Column("last_outcome", Text),
    Column("last_outcome_month", String(7)),
    Column("is_synthetic", Boolean, nullable=False),
    Column("incident_date", String(10)),
    Column("weekday", Integer),
    Column("hour", Integer),
    Column("precision", String(10)),
    Column("details", Text),
    Column("import_id", Integer),
    Index("ix_incident_force_month", "force_code", "month"),
    Index("ix_incident_crime_id", "crime_id"),
    Index("ix_incident_source_month", "source", "month"),
)

# Monthly counts per area (district, county and force alike) and crime type, rebuilt for
# each force-month an import touches. A force's rows include incidents with no location.
incident_count = Table(
    "incident_count",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(24), nullable=False, server_default=SOURCE_DEFAULT),
    Column("force_code", String(9), nullable=False),
    Column("area_code", String(9), nullable=False),
    Column("month", String(7), nullable=False),
    Column("crime_type", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    Column("is_synthetic", Boolean, nullable=False),
    Index("ix_incident_count_area", "area_code", "crime_type", "month", "count", "is_synthetic", "source"),
    Index("ix_incident_count_force_month", "force_code", "month"),
)

# Monthly counts per place and crime type, for repeat locations and hotspots.
place_count = Table(
    "place_count",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(24), nullable=False, server_default=SOURCE_DEFAULT),
    Column("force_code", String(9), nullable=False),
    Column("district_code", String(9), nullable=False),
    Column("month", String(7), nullable=False),
    Column("place_id", Integer, nullable=False),
    Column("crime_type", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    Column("is_synthetic", Boolean, nullable=False),
    # A force's months are found through its districts (see ``count_tables.force_months``):
    # an index on the force and month as well took a twentieth of the demo database.
    Index("ix_place_count_district", "district_code", "month", "crime_type", "place_id", "count", "source"),
)

# ``place_count`` again, one row per district, month, crime type and source holding every
# place's count as packed pairs (see ``count_tables.pack_places``): a force's thirteen months
# are a few thousand rows to read instead of a hundred and sixty thousand, which the hotspot
# analysis needs on every request. Rebuilt from ``place_count`` with it.
place_count_packed = Table(
    "place_count_packed",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(24), nullable=False, server_default=SOURCE_DEFAULT),
    Column("force_code", String(9), nullable=False),
    Column("district_code", String(9), nullable=False),
    Column("month", String(7), nullable=False),
    Column("crime_type", String(32), nullable=False),
    Column("places", LargeBinary, nullable=False),
    Column("is_synthetic", Boolean, nullable=False),
    Index("ix_place_count_packed_district", "district_code", "month", "crime_type", "source"),
    Index("ix_place_count_packed_force_month", "force_code", "month"),
)

# Monthly counts per LSOA (either vintage, as the file named it) and crime type, rebuilt for
# each force-month an import touches, for evaluations of any set of LSOAs. Each LSOA-month
# also has an ``all-crime`` row (every crime type but ASB), so the commonest question reads
# one index entry per LSOA and month.
ALL_CRIME_ROW = "all-crime"
lsoa_count = Table(
    "lsoa_count",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(24), nullable=False, server_default=SOURCE_DEFAULT),
    Column("force_code", String(9), nullable=False),
    Column("lsoa_code", String(9), nullable=False),
    Column("month", String(7), nullable=False),
    Column("crime_type", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    Column("is_synthetic", Boolean, nullable=False),
    Index("ix_lsoa_count_lsoa", "lsoa_code", "crime_type", "month", "count", "source"),
    Index("ix_lsoa_count_force_month", "force_code", "month"),
)

# Which months of each partner incident source are loaded (police.uk's are in
# ``loaded_month``): a month with no row is "not loaded", not "zero incidents". Importing a
# source's month again replaces it.
source_month = Table(
    "source_month",
    metadata,
    Column("source", String(24), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("is_synthetic", Boolean, nullable=False),
    Column("rows_stored", Integer, nullable=False),
    Column("import_id", Integer, ForeignKey("import_log.id"), nullable=False),
)

# Published and partner series: figures from reports or partners' own systems.
series = Table(
    "series",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("title", Text, nullable=False),
    Column("theme", String(40), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("kind", String(10), nullable=False),  # "published" or "partner"
    Column("sensitive", Boolean, nullable=False),
    Column("import_id", Integer, ForeignKey("import_log.id"), nullable=False),
)

series_value = Table(
    "series_value",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("series_id", String(80), ForeignKey("series.id", ondelete="CASCADE"), nullable=False),
    Column("area_code", String(9), ForeignKey("area.code"), nullable=False),
    Column("period", String(10), nullable=False),
    Column("period_type", String(16), nullable=False),
    Column("period_start", String(7), nullable=False),  # first month, for sorting
    Column("category", Text, nullable=False),  # "" for a series' total
    Column("value", Float, nullable=False),
    Column("source", Text, nullable=False),
    Column("source_table", Text, nullable=False),
    Column("note", Text, nullable=False),
    UniqueConstraint("series_id", "area_code", "period", "category"),
)

# ONS boundaries imported for maps: districts and LSOAs, as GeoJSON geometry text.
boundary = Table(
    "boundary",
    metadata,
    Column("code", String(9), primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", String(10), nullable=False),  # "district" or "lsoa"
    Column("district_code", String(9), nullable=False),
    Column("geometry", Text, nullable=False),
    Index("ix_boundary_district", "district_code", "level"),
)

# Accounts kept by the app (AUTH_MODE=accounts): partners and administrators.
user_account = Table(
    "user_account",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(10), nullable=False),  # "partner" or "admin"
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Interventions and operations recorded by partners, for before/after evaluation.
# ``crime_types`` is a comma-separated list of data.police.uk slugs ("" = all crime).
intervention = Table(
    "intervention",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("description", Text, nullable=False),
    Column("start_month", String(7), nullable=False),
    Column("end_month", String(7), nullable=False),
    Column("crime_types", Text, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("owner", Text, nullable=False),  # the user who created it: only they or an administrator change it
    # Whose counts judge it: police.uk crime (narrowed by ``crime_types``) or a partner source.
    Column("outcome_source", String(24), nullable=False, server_default=SOURCE_DEFAULT),
)

# The places of an intervention: LSOAs (either vintage) or area codes, as target, control
# or displacement buffer.
intervention_place = Table(
    "intervention_place",
    metadata,
    Column("intervention_id", Integer, ForeignKey("intervention.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(8), primary_key=True),  # "target", "control" or "buffer"
    Column("code", String(9), primary_key=True),
)

# Targets: a change in a series (crime types counted from police.uk, or a partner series)
# for an area, from a baseline period to an end period, with a tolerance.
target = Table(
    "target",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("title", Text, nullable=False),
    Column("crime_types", Text, nullable=False),  # slugs, comma-separated; "" for a partner series
    Column("series_id", String(80)),  # a partner or published series instead of crime types
    Column("area_code", String(9), ForeignKey("area.code"), nullable=False),
    Column("baseline_from", String(7), nullable=False),
    Column("baseline_to", String(7), nullable=False),
    Column("end_from", String(7), nullable=False),
    Column("end_to", String(7), nullable=False),
    Column("target_percent", Float, nullable=False),  # e.g. -5 for a 5% reduction
    Column("tolerance_points", Float, nullable=False),  # percentage points either side
    Column("kind", String(10), nullable=False),  # "published" or "partner"
    Column("source", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("owner", Text, nullable=False),  # the user who created it: only they or an administrator change it
)

# Who created, changed, deleted or imported an intervention, a target or a series, and when,
# with a short summary of the record before and after. Administrators read it.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(10), nullable=False),  # "create", "update", "delete" or "import"
    Column("subject", String(12), nullable=False),  # "intervention", "target", "series" or "incidents"
    Column("record", Text, nullable=False),  # the record's id or name, or the file imported
    Column("before", Text, nullable=False),  # summaries: "" when there was none
    Column("after", Text, nullable=False),
    Index("ix_audit_log_at", "at"),
)

# A signed-in session: the cookie carries a random token and the server keeps only its hash.
# Every request is checked against this table, so deleting rows ends sessions at once:
# signing out, deleting an account and changing its role or password all do.
user_session = Table(
    "user_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie's token, hex
    Column("username", String(80), ForeignKey("user_account.username", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),  # seconds since the epoch
    Column("expires_at", Float, nullable=False),
    Index("ix_user_session_username", "username"),
)

# Sign-in attempts counted per account, per address and per both, in fixed windows. One
# upsert both counts and reads an attempt, so parallel requests cannot race the count, and
# every worker and host shares it.
sign_in_attempt = Table(
    "sign_in_attempt",
    metadata,
    Column("key", String(200), primary_key=True),  # "account:NAME", "address:IP", "pair:NAME|IP"
    Column("attempts", Integer, nullable=False),
    Column("window_ends", Float, nullable=False),  # seconds since the epoch
)

# Bumped by every import so that caches keyed on it go stale together.
data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)
