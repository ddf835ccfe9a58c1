"""The police forces of England and Wales: ONS codes, data.police.uk names and identifiers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Force:
    code: str
    name: str  # as written in data.police.uk's "Reported by" / "Falls within" columns
    slug: str  # as written in data.police.uk file names
    area_name: str  # the ONS police force area's name


# The 43 territorial forces of England and Wales: ONS police force area codes (Police Force
# Areas, December 2023) and data.police.uk force identifiers and names
# (https://data.police.uk/api/forces). British Transport Police and the Police Service of
# Northern Ireland have no police force area here: their files are reported and skipped.
FORCES: tuple[Force, ...] = (
    Force("E23000001", "Metropolitan Police Service", "metropolitan", "Metropolitan Police"),
    Force("E23000002", "Cumbria Constabulary", "cumbria", "Cumbria"),
    Force("E23000003", "Lancashire Constabulary", "lancashire", "Lancashire"),
    Force("E23000004", "Merseyside Police", "merseyside", "Merseyside"),
    Force("E23000005", "Greater Manchester Police", "greater-manchester", "Greater Manchester"),
    Force("E23000006", "Cheshire Constabulary", "cheshire", "Cheshire"),
    Force("E23000007", "Northumbria Police", "northumbria", "Northumbria"),
    Force("E23000008", "Durham Constabulary", "durham", "Durham"),
    Force("E23000009", "North Yorkshire Police", "north-yorkshire", "North Yorkshire"),
    Force("E23000010", "West Yorkshire Police", "west-yorkshire", "West Yorkshire"),
    Force("E23000011", "South Yorkshire Police", "south-yorkshire", "South Yorkshire"),
    Force("E23000012", "Humberside Police", "humberside", "Humberside"),
    Force("E23000013", "Cleveland Police", "cleveland", "Cleveland"),
    Force("E23000014", "West Midlands Police", "west-midlands", "West Midlands"),
    Force("E23000015", "Staffordshire Police", "staffordshire", "Staffordshire"),
    Force("E23000016", "West Mercia Police", "west-mercia", "West Mercia"),
    Force("E23000017", "Warwickshire Police", "warwickshire", "Warwickshire"),
    Force("E23000018", "Derbyshire Constabulary", "derbyshire", "Derbyshire"),
    Force("E23000019", "Nottinghamshire Police", "nottinghamshire", "Nottinghamshire"),
    Force("E23000020", "Lincolnshire Police", "lincolnshire", "Lincolnshire"),
    Force("E23000021", "Leicestershire Police", "leicestershire", "Leicestershire"),
    Force("E23000022", "Northamptonshire Police", "northamptonshire", "Northamptonshire"),
    Force("E23000023", "Cambridgeshire Constabulary", "cambridgeshire", "Cambridgeshire"),
    Force("E23000024", "Norfolk Constabulary", "norfolk", "Norfolk"),
    Force("E23000025", "Suffolk Constabulary", "suffolk", "Suffolk"),
    Force("E23000026", "Bedfordshire Police", "bedfordshire", "Bedfordshire"),
    Force("E23000027", "Hertfordshire Constabulary", "hertfordshire", "Hertfordshire"),
    Force("E23000028", "Essex Police", "essex", "Essex"),
    Force("E23000029", "Thames Valley Police", "thames-valley", "Thames Valley"),
    Force("E23000030", "Hampshire Constabulary", "hampshire", "Hampshire"),
    Force("E23000031", "Surrey Police", "surrey", "Surrey"),
    Force("E23000032", "Kent Police", "kent", "Kent"),
    Force("E23000033", "Sussex Police", "sussex", "Sussex"),
    Force("E23000034", "City of London Police", "city-of-london", "London, City of"),
    Force("E23000035", "Devon & Cornwall Police", "devon-and-cornwall", "Devon & Cornwall"),
    Force("E23000036", "Avon and Somerset Constabulary", "avon-and-somerset", "Avon and Somerset"),
    Force("E23000037", "Gloucestershire Constabulary", "gloucestershire", "Gloucestershire"),
    Force("E23000038", "Wiltshire Police", "wiltshire", "Wiltshire"),
    Force("E23000039", "Dorset Police", "dorset", "Dorset"),
    Force("W15000001", "North Wales Police", "north-wales", "North Wales"),
    Force("W15000002", "Gwent Police", "gwent", "Gwent"),
    Force("W15000003", "South Wales Police", "south-wales", "South Wales"),
    Force("W15000004", "Dyfed-Powys Police", "dyfed-powys", "Dyfed-Powys"),
)
FORCES_BY_CODE = {f.code: f for f in FORCES}
FORCES_BY_NAME = {f.name: f for f in FORCES}
FORCES_BY_SLUG = {f.slug: f for f in FORCES}
