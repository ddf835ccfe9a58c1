"""Partner incident files on the administrator's pages: the upload's validation report
(what would be stored, and how precisely each record would be placed) and the page of
precision shares with the records left unmatched, for correction."""

from __future__ import annotations

from html import escape

from sqlalchemy import Engine

from dashboard.forms.upload_checks import check_csv_upload
from queries.importers.incidents_parse import parse_incidents
from queries.importers.incidents_store import IncidentImportSummary, place_rows
from queries.incident_sources import PRECISIONS, SOURCES_BY_SLUG, UNMATCHED
from queries.incidents import precision_shares, unmatched_records
from queries.place_matcher import build_index

KIND = "incidents"
KIND_LABEL = "Partner incidents (template CSV or ISTV export)"


def incident_report(engine: Engine, name: str, data: bytes) -> list[str]:
    """The summary lines of an incident file, checked and placed but not stored (raises
    ``ImportRejected`` as the import would)."""
    check_csv_upload(name, data)
    parsed = parse_incidents(name, data)
    placed = place_rows(parsed.rows, build_index(engine))
    precision = {p: sum(1 for _, m in placed if m.precision == p) for p in PRECISIONS}
    summary = IncidentImportSummary(
        name, parsed.kind, parsed.sources, sorted({r.month for r in parsed.rows}), len(parsed.rows), len(placed),
        precision, [(r.line, r.location_text) for r, m in placed if m.precision == UNMATCHED])
    lines = summary.lines()
    lines[0] = lines[0].split(" (replacing")[0] + ": importing replaces whatever is stored for those months"
    lines += [f"Unmatched row {line}: {text!r}" for line, text in summary.unmatched[:20]]
    return lines


def precision_page(engine: Engine, prefix: str) -> str:
    """Shares of each precision per source, and the unmatched records."""
    shares = precision_shares(engine)
    heads = "".join(f"<th scope='col' class='text-end'>{p}</th>" for p in PRECISIONS)
    body = ""
    for row in shares.to_dict("records"):
        total = row["total"] or 1
        cells = "".join(f"<td class='text-end'>{row[p]:,} ({100 * row[p] / total:.0f}%)</td>" for p in PRECISIONS)
        title = SOURCES_BY_SLUG[row["source"]].title if row["source"] in SOURCES_BY_SLUG else row["source"]
        body += f"<tr><th scope='row'>{escape(title)}</th>{cells}<td class='text-end'>{row['total']:,}</td></tr>"
    table = ("<table class='table table-sm table-striped'><caption>Records per source by how precisely their "
             f"location is known</caption><thead><tr><th scope='col'>Source</th>{heads}"
             f"<th scope='col' class='text-end'>Records</th></tr></thead><tbody>{body}</tbody></table>")
    unmatched = unmatched_records(engine)
    rows = "".join(
        f"<tr><td>{r['id']}</td><td>{escape(r['source'])}</td><td>{escape(r['incident_date'] or '')}</td>"
        f"<td>{escape(r['location_text'] or '(none)')}</td><td>{'synthetic' if r['is_synthetic'] else ''}</td></tr>"
        for r in unmatched.to_dict("records"))
    listing = ("<table class='table table-sm'><caption>Unmatched records, newest first (at most 500): correct the "
               "location in the partner's file and import its month again</caption><thead><tr>"
               + "".join(f"<th scope='col'>{h}</th>" for h in ("#", "Source", "Date", "Location as given", ""))
               + f"</tr></thead><tbody>{rows}</tbody></table>")
    return (f"<h1 class='h2'>Partner incidents: location precision</h1><p>How each record was placed: point (coordinates "
            "or a listed premises), street (a police.uk street name), LSOA, district (a ward or district name) or "
            f"unmatched (counted at force level only). <a href='{prefix}admin/upload'>Upload a file</a></p>"
            f"<div class='table-responsive'>{table}</div><h2 class='h4'>Unmatched records</h2>"
            f"<div class='table-responsive'>{listing if len(unmatched) else '<p>None.</p>'}</div>")
