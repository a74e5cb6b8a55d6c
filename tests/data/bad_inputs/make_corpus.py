"""Regenerate the bad-input corpus next to this script (the files are committed; run after editing).

    .venv/bin/python tests/data/bad_inputs/make_corpus.py

Each file's expected outcome is in ``manifest.yaml``; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

HEADER = [
    "declarant_eori", "declaration_id", "declaration_line", "import_date", "cn_code", "origin_country",
    "net_mass_tonnes", "customs_procedure", "installation_id", "actual_direct_see", "actual_indirect_see",
    "electricity_consumed_mwh", "carbon_price_paid_eur",
]  # fmt: skip
ROWS = [
    ["DE123456789012345", "24DE123456789012A1", "1", "2026-02-03", "72081000", "CN", "25.5", "40", "CN-INST-0001", "", "", "", ""],
    ["DE123456789012345", "24DE123456789012A1", "2", "2026-02-03", "76011000", "IN", "12.75", "40", "IN-INST-0042", "1.92", "0.31", "18.4", ""],
    ["FR987654321000001", "24FR000000000001B7", "1", "2026-02-10", "25231000", "TR", "300", "4000", "", "", "", "", ""],
    ["DE123456789012345", "24DE123456789012A2", "1", "2026-02-12", "31021010", "UA", "40.125", "51", "UA-INST-0007", "2.05", "0.12", "", "152.40"],
]  # fmt: skip
DESCRIPTIONS = {
    "cp1252": ["Tôles d’acier laminées à chaud – bobines", "Aluminium sous forme brute, non allié", "Ciment « Portland » gris"],
    "latin-1": ["Warmgewalzte Bleche aus Eisen, Breite ≥ 600 mm".replace("≥", "ab"), "Aluminium, nicht legiert (Qualität A)", "Zement, grau; Körnung 0–2".replace("–", "-")],
    "utf-8-sig": ["Ammonitrate — engrais azotés", "Ferro-alliages: ферросилиций (FeSi)", "Ciment Portland gris"],
}  # fmt: skip


def csv_line(fields: list[str], delimiter: str = ",") -> str:
    def quoted(value: str) -> str:
        if any(char in value for char in f'{delimiter}"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return delimiter.join(quoted(value) for value in fields)


def write_text(name: str, lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> None:
    (HERE / name).write_bytes(("".join(line + newline for line in lines)).encode(encoding))


def text_files() -> None:
    for encoding, name in (("cp1252", "cp1252"), ("latin-1", "latin1"), ("utf-8-sig", "utf8_bom")):
        lines = [csv_line([*HEADER, "goods_description"])]
        lines += [csv_line([*row, text]) for row, text in zip(ROWS, DESCRIPTIONS[encoding], strict=False)]
        write_text(f"shipments_{name}.csv", lines, encoding=encoding, newline="\r\n")

    decimal_comma = [row[:] for row in ROWS]
    decimal_comma[0][6], decimal_comma[1][6], decimal_comma[1][9], decimal_comma[2][6] = (
        "25,5",
        "12,75",
        "1,92",
        "1.300,0",
    )
    decimal_comma[1][10], decimal_comma[1][11], decimal_comma[3][6] = "0,31", "18,4", "40,125"
    decimal_comma[3][9], decimal_comma[3][10], decimal_comma[3][12] = "2,05", "0,12", "152,40"
    write_text("shipments_semicolon_decimal_comma.csv", [csv_line(r, ";") for r in [HEADER, *decimal_comma]])
    write_text("shipments_tab.csv", [csv_line(r, "\t") for r in [HEADER, *ROWS]])
    write_text("shipments_pipe.txt", [csv_line(r, "|") for r in [HEADER, *ROWS]])

    write_text(
        "shipments_missing_columns.csv",
        [
            csv_line(HEADER),
            csv_line(ROWS[0]),
            csv_line(ROWS[1][:9]),
            csv_line(ROWS[2]),
            csv_line(ROWS[3][:3]),
        ],
    )
    write_text(
        "shipments_extra_columns.csv",
        [
            csv_line(HEADER),
            csv_line([*ROWS[0], "surplus", "9.99"]),
            csv_line(ROWS[1]),
            csv_line([*ROWS[2], ""]),  # a trailing delimiter: the surplus field is empty, nothing is lost
            csv_line(ROWS[3]),
        ],
    )
    (HERE / "empty.csv").write_bytes(b"")
    write_text("blank_lines_only.csv", ["", "", ""], newline="\r\n")
    write_text("header_only.csv", [csv_line(HEADER)])

    notes = 'Coil, hot-rolled\r\n2nd line with "quotes"; and a ; semicolon'
    multiline = [csv_line([*HEADER, "note"])] + [csv_line([*row, notes]) for row in ROWS[:3]]
    write_text("quoted_multiline_crlf.csv", multiline, newline="\r\n")
    truncated = "".join(line + "\r\n" for line in multiline).encode()
    (HERE / "truncated_mid_quote.csv").write_bytes(truncated[: truncated.rindex(b"2nd line") + 3])

    write_text("duplicate_rows.csv", [csv_line(r) for r in [HEADER, ROWS[0], ROWS[0], ROWS[0], ROWS[1]]])
    write_text("duplicate_header.csv", [csv_line(["Declarant EORI", *HEADER]), csv_line(["x", *ROWS[0]])])
    write_text(
        "empty_header_name.csv",
        [csv_line([*HEADER[:3], " ", *HEADER[3:]]), csv_line([*ROWS[0][:3], "", *ROWS[0][3:]])],
    )

    bad = [row[:] for row in ROWS]
    bad[0][3] = "2026-02-30"  # no such date
    bad[1][4] = "7208100"  # CN code of 7 digits
    bad[2][6] = "-3"  # net mass must be positive
    bad[3][5] = ""  # origin country missing
    ok = ROWS[0][:]
    ok[3] = "03.02.2026"  # a day-first date the contract accepts
    indirect_only = ROWS[1][:]
    indirect_only[9] = ""  # indirect emissions without direct ones (a cross-field rule)
    write_text("bad_values.csv", [csv_line(r) for r in [HEADER, *bad, ok, indirect_only]])


def json_files() -> None:
    records = [dict(zip(HEADER, row, strict=False)) for row in ROWS]
    for record in records:  # JSON sources send numbers as numbers and omit empty fields
        for key in ("declaration_line", "net_mass_tonnes", "actual_direct_see", "actual_indirect_see"):
            if record[key]:
                record[key] = json.loads(record[key])
        for key in [key for key, value in record.items() if value == ""]:
            del record[key]

    def dump(name: str, document: object) -> None:
        (HERE / name).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    dump("wrapped_data.json", {"data": records[:3], "count": 3, "next": None})
    dump("odata_results.json", {"d": {"results": records, "__next": None}})
    dump("not_an_array.json", {"status": "ok", "count": 4, "declarant": {"eori": "DE123456789012345"}})
    dump("two_arrays.json", {"data": records[:1], "included": records[1:2]})
    (HERE / "scalar.json").write_text("42\n", encoding="utf-8")
    text = json.dumps(records, indent=2)
    (HERE / "truncated_array.json").write_text(text[: text.index('"UA"')], encoding="utf-8")

    lines = [json.dumps(record) for record in records]
    lines[2] = lines[2][:60]  # cut off mid-object
    lines.insert(3, "")
    lines.insert(4, json.dumps(["DE123456789012345", "not", "an", "object"]))
    (HERE / "broken_lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (HERE / "all_broken.jsonl").write_text("{declarant_eori: DE1}\n[1, 2]\nnull\n", encoding="utf-8")
    bad = [dict(record) for record in records]
    bad[0]["import_date"] = "2026-13-01"
    bad[1]["cn_code"] = 72081000  # a number: its JSON text is still 8 digits, accepted
    bad[2]["origin_country"] = "CHN"
    bad[3]["declaration_line"] = 0
    (HERE / "bad_values.jsonl").write_text("\n".join(json.dumps(r) for r in bad) + "\n", encoding="utf-8")


def excel_files() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Shipments"
    sheet["A1"] = "CBAM imports — quarterly report"
    sheet.merge_cells("A1:M1")
    sheet["A2"], sheet["B2"] = "Declarant:", "DE123456789012345"
    sheet["A3"], sheet["B3"] = "Period:", dt.date(2026, 3, 31)
    labels = ["Declarant EORI", "Declaration ID", "Declaration line", "Import date", "CN code", "Origin country",
              "Net mass (tonnes)", "Customs procedure", "Installation ID"]  # fmt: skip
    for column, label in enumerate(labels, start=1):
        sheet.cell(row=5, column=column, value=label)
        sheet.merge_cells(start_row=5, start_column=column, end_row=6, end_column=column)
    sheet["J5"] = "Actual"
    sheet.merge_cells("J5:K5")
    sheet["J6"], sheet["K6"] = "Direct SEE", "Indirect SEE"
    sheet["L5"], sheet["M5"] = "Electricity consumed (MWh)", "Carbon price paid (EUR)"
    sheet.merge_cells("L5:L6")
    sheet.merge_cells("M5:M6")
    for row in ROWS:
        sheet.append(
            [
                row[0],
                row[1],
                int(row[2]),
                dt.date.fromisoformat(row[3]),
                row[4],
                row[5],
                float(row[6]),
                row[7],
            ]
            + [value or None for value in row[8:9]]
            + [float(value) if value else None for value in row[9:]]
        )
    sheet.append([])
    sheet.append(["END"])
    sheet.append(["Prepared by the customs broker; not part of the table"])
    workbook.create_sheet("Notes")["A1"] = "free text"
    workbook.save(HERE / "shipments_preamble_merged.xlsx")

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*HEADER[:8], "Installation ID", None])
    sheet.merge_cells("I1:J1")  # one header cell spanning two columns: it names the first
    sheet.append([*ROWS[0][:8], "CN-INST-0001", None])
    sheet.append([*ROWS[1][:8], "IN-INST-0042", "spilled into the unnamed column"])
    workbook.save(HERE / "merged_single_header.xlsx")

    workbook = Workbook()
    for row in range(1, 6):
        workbook.active.append([row, row * 2.5, dt.date(2026, 1, row)])
    workbook.save(HERE / "no_header.xlsx")

    (HERE / "csv_renamed.xlsx").write_text(
        csv_line(HEADER) + "\n" + csv_line(ROWS[0]) + "\n", encoding="utf-8"
    )
    (HERE / "legacy_xls_renamed.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))


def binary_files() -> None:
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
        b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    (HERE / "png_renamed.csv").write_bytes(png)
    with zipfile.ZipFile(HERE / "zip_renamed.csv", "w") as archive:
        archive.writestr("shipments.csv", csv_line(HEADER) + "\n")
    (HERE / "utf16_with_bom.csv").write_bytes(
        (csv_line(HEADER) + "\r\n" + csv_line(ROWS[0]) + "\r\n").encode("utf-16")
    )
    (HERE / "nul_bytes.csv").write_bytes(csv_line(HEADER).encode() + b"\n" + b"DE1,\x00\x00\x07\x00,1\n")


if __name__ == "__main__":
    text_files()
    json_files()
    excel_files()
    binary_files()
