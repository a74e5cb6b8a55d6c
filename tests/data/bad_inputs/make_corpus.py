"""Regenerate the bad-input corpus next to this script (the files are committed; run after editing).

    .venv/bin/python tests/data/bad_inputs/make_corpus.py

Each file's expected outcome is in ``manifest.yaml``; keep the two in step. Every file stays below
200 KB: inputs that are hostile by their size (a 10 MB field, a gigabyte bomb) are made at test time
(``tests/ingestion/test_hostile_inputs.py``). The legacy .xls files need ``xlwt`` (a dev dependency).
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import json
import re
import struct
import zipfile
from pathlib import Path

import xlwt
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

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


# --- hostile inputs (issue 15) ---------------------------------------------------------------------------


def shipments_csv(rows: list[list[str]] | None = None, delimiter: str = ",", newline: str = "\n") -> str:
    return "".join(csv_line(row, delimiter) + newline for row in [HEADER, *(rows or ROWS)])


def encoding_files() -> None:
    text = shipments_csv()
    (HERE / "utf16le_no_bom.csv").write_bytes(text.encode("utf-16-le"))
    (HERE / "utf16be_no_bom.csv").write_bytes(text.encode("utf-16-be"))
    (HERE / "utf32_with_bom.csv").write_bytes(text.encode("utf-32"))
    (HERE / "utf32le_no_bom.csv").write_bytes(text.encode("utf-32-le"))
    described = [[*HEADER, "goods_description"]]
    japanese = [
        "熱間圧延鋼板コイル",
        "アルミニウム地金 非合金",
        "ポルトランドセメント 灰色",
        "硝酸アンモニウム肥料",
    ]
    russian = [
        "Горячекатаный стальной рулон",
        "Алюминий необработанный",
        "Портландцемент серый",
        "Аммиачная селитра",
    ]
    for name, encoding, texts in (
        ("shift_jis.csv", "shift_jis", japanese),
        ("cp1251_cyrillic.csv", "cp1251", russian),
    ):
        lines = described + [[*row, value] for row, value in zip(ROWS, texts, strict=True)]
        (HERE / name).write_bytes("".join(csv_line(line) + "\r\n" for line in lines).encode(encoding))
    # "/" written as an overlong three-byte sequence (E0 80 AF): not UTF-8, and no Latin text either
    overlong = shipments_csv().replace("CN-INST-0001", "CN\uf000INST-0001").encode()
    (HERE / "overlong_utf8.csv").write_bytes(overlong.replace("\uf000".encode(), b"\xe0\x80\xaf"))
    # a UTF-8 file with one record pasted from a Windows-1252 one, and the other way round
    descriptions = [
        "Tôles d’acier laminées – bobines",
        "Aluminium non allié",
        "Ciment « Portland » gris",
        "Engrais azotés",
    ]
    lines = [csv_line([*HEADER, "goods_description"]).encode()]
    for index, (row, value) in enumerate(zip(ROWS, descriptions, strict=True)):
        lines.append(csv_line([*row, value]).encode("cp1252" if index == 2 else "utf-8"))
    (HERE / "mixed_utf8_with_a_cp1252_record.csv").write_bytes(b"\n".join(lines) + b"\n")
    lines = [csv_line([*HEADER, "goods_description"]).encode()]
    for index, (row, value) in enumerate(zip(ROWS, descriptions, strict=True)):
        lines.append(csv_line([*row, value]).encode("utf-8" if index == 1 else "cp1252"))
    (HERE / "mixed_cp1252_with_a_utf8_record.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    # two "CSV UTF-8" exports pasted together: the second one's BOM and header land mid-file
    half = "".join(csv_line(row) + "\r\n" for row in [HEADER, *ROWS[:2]]).encode("utf-8-sig")
    rest = "".join(csv_line(row) + "\r\n" for row in [HEADER, *ROWS[2:]]).encode("utf-8-sig")
    (HERE / "bom_in_the_middle.csv").write_bytes(half + rest)
    # a UTF-16 surrogate encoded as if it were a character (CESU-8): not UTF-8
    surrogate = shipments_csv([[*ROWS[0][:8], "CN-INST-\uf000", *ROWS[0][9:]], *ROWS[1:]]).encode()
    (HERE / "encoded_surrogate.csv").write_bytes(surrogate.replace("\uf000".encode(), b"\xed\xa0\x80"))
    # a NUL inside one quoted value; a few control characters elsewhere (data, not binary)
    nul = shipments_csv().encode().replace(b"CN-INST-0001", b'"CN-INST-\x000001"')
    (HERE / "nul_in_a_value.csv").write_bytes(nul.replace(b"IN-INST-0042", b"IN-INST-\x070042"))
    emoji = [[*HEADER, "goods_description"]] + [
        [*row, text]
        for row, text in zip(ROWS, ["🔩 steel coil", "𝔸luminium", "cement 🏗️", "NH₄NO₃ 🌱"], strict=True)
    ]
    (HERE / "four_byte_utf8.csv").write_bytes("".join(csv_line(line) + "\n" for line in emoji).encode())
    zero_width = [row[:] for row in ROWS]
    zero_width[1][4] = "7601\u200b1000"  # a zero-width space inside the CN code
    zero_width[2][5] = "T\u0280"  # a letter that only looks like R
    (HERE / "invisible_characters.csv").write_text(shipments_csv(zero_width), encoding="utf-8")


def csv_structure_files() -> None:
    unbalanced = [row[:] for row in ROWS]
    unbalanced[1][8] = 'IN-INST-0042 "main plant'  # an opening quote mid-value is data...
    body = shipments_csv(unbalanced).replace(
        "UA-INST-0007", '"UA-INST-0007'
    )  # ...one at a field start opens a quote
    (HERE / "unbalanced_quotes.csv").write_text(body, encoding="utf-8")
    (HERE / "cr_only_line_endings.csv").write_text(shipments_csv(newline="\r"), encoding="utf-8")
    wide = [f"c{index}" for index in range(10_000)]
    (HERE / "ten_thousand_columns.csv").write_text(
        ",".join(wide) + "\n" + ",".join("1" * 10_000) + "\n", encoding="utf-8"
    )
    header = [*HEADER[:6], "Net Mass Tonnes", " net  mass  tonnes", *HEADER[7:]]
    rows = [[*row[:6], row[6], row[6], *row[7:]] for row in ROWS]
    (HERE / "duplicate_header_case_space.csv").write_text(
        "".join(csv_line(row) + "\n" for row in [header, *rows]), encoding="utf-8"
    )
    end = ["", "END", *[""] * 11]
    (HERE / "end_marker_mid_file.csv").write_text(
        shipments_csv([*ROWS[:2], end, *ROWS[2:]]), encoding="utf-8"
    )
    (HERE / "end_marker_last_declared.csv").write_text(shipments_csv([*ROWS, end]) + "\n\n", encoding="utf-8")
    (HERE / "end_marker_last_undeclared.csv").write_text(shipments_csv([*ROWS, end]), encoding="utf-8")
    (HERE / "end_marker_then_a_row_declared.csv").write_text(
        shipments_csv([*ROWS[:3], ["END"], ROWS[3]]), encoding="utf-8"
    )
    (HERE / "end_marker_only_declared.csv").write_text(shipments_csv([[" end "]]), encoding="utf-8")

    def masses(values: list[str], name: str, delimiter: str = ";") -> None:
        rows = [
            [*ROWS[index % 4][:6], value, *ROWS[index % 4][7:9], "", "", "", ""]
            for index, value in enumerate(values)
        ]
        for index, row in enumerate(rows):
            row[2] = str(index + 1)
        (HERE / name).write_text(shipments_csv(rows, delimiter), encoding="utf-8")

    masses(["25,5", "1.234", "12,75", "1.234,5"], "decimal_comma_with_thousands_dots.csv")
    masses(["25.5", "1,234", "12.75", "1.234"], "decimal_point_with_a_comma_value.csv")
    masses(["1.234", "300", "2.500", "40"], "decimal_undetermined_ambiguous.csv")
    masses(["1.234", "300", "2.500", "40"], "decimal_comma_declared.csv")
    masses(["25,5", "1.5", "12,75", "0,125"], "decimal_comma_with_a_point_value.csv")
    masses(["25.5", "1,234.5", "12.75", "-0.5"], "thousands_separator_in_a_point_file.csv", delimiter="\t")
    huge = [row[:] for row in ROWS]
    huge[0][6] = "1" + "0" * 60  # more digits than DECIMAL(38,12)
    huge[1][6] = "1e400"
    huge[2][2] = "9" * 40  # an integer beyond BIGINT
    huge[3][9] = "0." + "0" * 20 + "1"  # more decimal places than 12
    (HERE / "huge_numbers.csv").write_text(shipments_csv(huge), encoding="utf-8")
    long_value = [row[:] for row in ROWS]
    long_value[1][8] = "X" * 150_000  # longer than a text field may be, shorter than the record limit
    (HERE / "long_value.csv").write_text(shipments_csv(long_value), encoding="utf-8")
    (HERE / "header_only_with_bom.csv").write_bytes(codecs.BOM_UTF8 + csv_line(HEADER).encode() + b"\r\n")


def save_workbook(workbook: Workbook, name: str) -> None:
    workbook.save(HERE / name)


def sheet_of_shipments(workbook: Workbook, title: str, rows: list[list[object]] | None = None):
    sheet = workbook.create_sheet(title)
    sheet.append(HEADER)
    for row in rows or ROWS:
        sheet.append(row)
    return sheet


def excel_hostile_files() -> None:
    workbook = Workbook()
    decoy = workbook.active
    decoy.title = "Old"
    decoy.append(HEADER)
    decoy.append([*ROWS[0][:6], "99999", *ROWS[0][7:]])
    decoy.sheet_state = "hidden"
    sheet_of_shipments(workbook, "Shipments")
    workbook.active = 1
    save_workbook(workbook, "hidden_first_sheet.xlsx")

    workbook = Workbook()
    workbook.active.title = "Shipments"
    for row in [HEADER, *ROWS]:
        workbook.active.append(row)
    secret = sheet_of_shipments(workbook, "Internal", [[*ROWS[0][:6], "1", *ROWS[0][7:]]])
    secret.sheet_state = "veryHidden"
    save_workbook(workbook, "very_hidden_sheet.xlsx")

    workbook = Workbook()
    workbook.active.title = "Visible"
    workbook.active.append(["note"])
    workbook.active.append(["see the other sheet"])
    sheet_of_shipments(workbook, "Hidden").sheet_state = "hidden"
    saved = io.BytesIO()
    workbook.save(saved)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(HERE / "active_sheet_hidden.xlsx", "w") as target:
        for item in source.infolist():  # Excel never saves a hidden active sheet; a program can
            data = source.read(item)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb' activeTab="\d+"', b"", data).replace(
                    b"<workbookView ", b'<workbookView activeTab="1" '
                )
            target.writestr(item, data)

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*HEADER[:6], "net_mass_kg", *HEADER[6:]])
    for index, row in enumerate(ROWS, start=2):
        sheet.append([*row[:6], float(row[6]) * 1000, f"=G{index}/1000", *row[7:]])
    sheet.append(
        ["=A2", "=B2", "=C2+1", "=D2", "=E2", "=F2", "=G2", "=H2", "=I2", "=J2"]
    )  # a row of formulas only
    save_workbook(workbook, "formulas_without_cached_values.xlsx")

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        serial = (dt.date.fromisoformat(row[3]) - dt.date(1899, 12, 30)).days
        sheet.append([*row[:3], serial, *row[4:]])  # a date typed as its serial number, no date format
    save_workbook(workbook, "dates_as_serials.xlsx")

    save_workbook(Workbook(), "empty_workbook.xlsx")

    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    for row in [["label", "value"], ["a", 1], ["b", 2]]:
        data.append(row)
    chart = BarChart()
    chart.add_data(Reference(data, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    workbook.create_chartsheet("Chart").add_chart(chart)
    workbook.active = 1
    save_workbook(workbook, "chart_sheet_active.xlsx")

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in [*ROWS[:2], ["END"], *ROWS[2:]]:
        sheet.append(row)
    save_workbook(workbook, "end_marker_mid_sheet.xlsx")

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    sheet.append([])
    sheet.append([None, " End "])
    save_workbook(workbook, "end_marker_last_row_declared.xlsx")

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    errors = [row[:] for row in ROWS]
    sheet.append(errors[0])
    sheet.append([*errors[1][:6], "#DIV/0!", *errors[1][7:]])
    sheet["G3"].data_type = "e"
    sheet.append([*errors[2][:6], True, *errors[2][7:]])
    sheet.append(errors[3])
    save_workbook(workbook, "error_and_boolean_cells.xlsx")

    base = io.BytesIO()
    workbook = Workbook()
    for row in [HEADER, *ROWS]:
        workbook.active.append(row)
    workbook.save(base)

    def rewrite(name: str, change) -> None:
        with (
            zipfile.ZipFile(base) as source,
            zipfile.ZipFile(HERE / name, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for item in source.infolist():
                data = change(item.filename, source.read(item))
                if data is not None:
                    target.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)

    # 8 MB of whitespace inside the sheet: a part that expands thousands of times (a zip bomb's shape)
    rewrite(
        "zip_bomb_part.xlsx",
        lambda name, data: (
            data.replace(b"<sheetData>", b"<sheetData>" + b" " * 8_000_000)
            if name.endswith("sheet1.xml")
            else data
        ),
    )
    # a cell past column XFD
    rewrite(
        "cell_beyond_xfd.xlsx",
        lambda name, data: data.replace(b'r="M2"', b'r="XFE2"') if name.endswith("sheet1.xml") else data,
    )
    # the workbook names a sheet whose part is not in the package
    rewrite("missing_sheet_part.xlsx", lambda name, data: None if name.endswith("sheet1.xml") else data)
    # malformed XML in the sheet
    rewrite(
        "malformed_sheet_xml.xlsx",
        lambda name, data: (
            data.replace(b"</sheetData>", b"<row></sheetData>") if name.endswith("sheet1.xml") else data
        ),
    )
    # a sheet part whose declared size is smaller than its data (zipfile then fails the CRC check)
    rewrite("lying_part_size.xlsx", lambda name, data: data)
    raw = bytearray((HERE / "lying_part_size.xlsx").read_bytes())
    entry = raw.index(b"PK\x01\x02")
    while raw[entry + 46 : entry + 46 + 24] != b"xl/worksheets/sheet1.xml":
        entry = raw.index(b"PK\x01\x02", entry + 4)
    size = struct.unpack_from("<I", raw, entry + 24)[0]
    struct.pack_into("<I", raw, entry + 24, size // 2)
    (HERE / "lying_part_size.xlsx").write_bytes(bytes(raw))


def json_hostile_files() -> None:
    records = [dict(zip(HEADER, row, strict=False)) for row in ROWS]
    for record in records:
        for key in [key for key, value in record.items() if value == ""]:
            del record[key]
    lines = [json.dumps(record) for record in records]
    deep = "[" * 90_000 + "]" * 90_000
    (HERE / "deep_nesting.jsonl").write_text(
        "\n".join([lines[0], lines[1][:-1] + f', "x": {deep}}}', *lines[2:]]) + "\n", encoding="utf-8"
    )
    elements = [lines[0], lines[1][:-1] + f', "x": {deep}}}', *lines[2:]]
    (HERE / "deep_nesting.json").write_text("[\n" + ",\n".join(elements) + "\n]\n", encoding="utf-8")
    (HERE / "deep_nesting_wrapper.json").write_text(
        '{"data": ' + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8"
    )
    moderate = "[" * 100 + "1" + "]" * 100  # deeper than the limit, well within the parser's
    (HERE / "nesting_beyond_the_limit.jsonl").write_text(
        "\n".join([lines[0][:-1] + f', "x": {moderate}}}', *lines[1:]]) + "\n", encoding="utf-8"
    )
    duplicated = [lines[0], lines[1][:-1] + ', "net_mass_tonnes": "999"}', lines[2], lines[3]]
    (HERE / "duplicate_keys.jsonl").write_text("\n".join(duplicated) + "\n", encoding="utf-8")
    nested_dup = [lines[0], lines[1][:-1] + ', "meta": {"a": 1, "a": 2}}', lines[2], lines[3]]
    (HERE / "duplicate_keys_nested.json").write_text("[" + ",".join(nested_dup) + "]", encoding="utf-8")
    (HERE / "duplicate_wrapper_key.json").write_text(
        '{"data": [' + lines[0] + '], "data": [' + lines[1] + "]}", encoding="utf-8"
    )
    constants = [
        lines[0],
        lines[1].replace('"12.75"', "NaN"),
        lines[2].replace('"300"', "Infinity"),
        lines[3].replace('"40.125"', "-Infinity"),
    ]
    (HERE / "nan_and_infinity.jsonl").write_text("\n".join(constants) + "\n", encoding="utf-8")
    numbers = [
        lines[0].replace('"25.5"', "1e999999"),
        lines[1].replace('"12.75"', "1" + "0" * 5000),
        lines[2],
        lines[3].replace('"1"', "1" * 30),
    ]
    (HERE / "huge_json_numbers.json").write_text("[" + ",".join(numbers) + "]", encoding="utf-8")
    (HERE / "utf8_bom.json").write_bytes(codecs.BOM_UTF8 + ("[" + ",".join(lines) + "]").encode())
    (HERE / "utf8_bom.jsonl").write_bytes(codecs.BOM_UTF8 + ("\n".join(lines) + "\n").encode())
    (HERE / "trailing_comma.json").write_text("[" + ",".join(lines) + ",]", encoding="utf-8")
    (HERE / "trailing_comma.jsonl").write_text(
        "\n".join([lines[0], lines[1][:-1] + ",}", *lines[2:]]) + "\n", encoding="utf-8"
    )
    (HERE / "top_level_string.json").write_text('"declarant_eori,declaration_id"', encoding="utf-8")
    (HERE / "scalars_and_an_object.jsonl").write_text(
        "\n".join(["42", '"text"', "true", "null", lines[0]]) + "\n", encoding="utf-8"
    )
    surrogate = [lines[0], lines[1].replace("IN-INST-0042", "IN-INST-\\ud800"), lines[2], lines[3]]
    (HERE / "lone_surrogate.jsonl").write_text("\n".join(surrogate) + "\n", encoding="utf-8")
    (HERE / "lone_surrogate.json").write_text("[" + ",".join(surrogate) + "]", encoding="utf-8")
    nul = [
        lines[0],
        lines[1].replace("IN-INST-0042", "IN-INST-\\u00000042"),
        lines[2],
        lines[3].replace("UA-INST-0007", "UA-INST-0007\\u0000"),
    ]
    (HERE / "nul_escape.jsonl").write_text("\n".join(nul) + "\n", encoding="utf-8")
    described = [
        json.dumps({**record, "goods_description": text}, ensure_ascii=False)
        for record, text in zip(
            records, ["Tôles – bobines", "Aluminium brut", "Ciment « gris »", "Engrais"], strict=True
        )
    ]
    mixed = [
        described[0].encode(),
        described[1].encode(),
        described[2].encode("cp1252"),
        described[3].encode(),
    ]
    (HERE / "mixed_encodings.jsonl").write_bytes(b"\n".join(mixed) + b"\n")
    (HERE / "mixed_encodings.json").write_bytes(b"[" + b",\n".join(mixed) + b"]")
    many = {f"key_{index}": index for index in range(1_001)}
    (HERE / "too_many_keys.jsonl").write_text(lines[0] + "\n" + json.dumps(many) + "\n", encoding="utf-8")
    (HERE / "cr_only_lines.jsonl").write_text("\r".join(lines) + "\r", encoding="utf-8")
    (HERE / "comments.json").write_text(
        "// exported by the broker\n[" + ",".join(lines) + "]", encoding="utf-8"
    )
    (HERE / "single_quotes.jsonl").write_text(
        "\n".join([lines[0], lines[1].replace('"', "'"), *lines[2:]]) + "\n", encoding="utf-8"
    )
    (HERE / "keys_differing_by_case.jsonl").write_text(
        "\n".join([lines[0], lines[1].replace('"cn_code"', '"CN_Code"'), *lines[2:]]) + "\n", encoding="utf-8"
    )


def gzip_files() -> None:
    text = shipments_csv().encode()
    (HERE / "shipments.csv.gz").write_bytes(gzip.compress(text, mtime=0))
    records = [json.dumps(dict(zip(HEADER, row, strict=True))) for row in ROWS]
    (HERE / "shipments.jsonl.gz").write_bytes(gzip.compress(("\n".join(records) + "\n").encode(), mtime=0))
    (HERE / "shipments.xlsx.gz").write_bytes(
        gzip.compress((HERE / "very_hidden_sheet.xlsx").read_bytes(), mtime=0)
    )
    whole = gzip.compress(text * 50, mtime=0)
    (HERE / "truncated.csv.gz").write_bytes(whole[: len(whole) // 2])
    first, second = text[: text.index(b"FR98")], text[text.index(b"FR98") :]
    (HERE / "concatenated_members.csv.gz").write_bytes(
        gzip.compress(first, mtime=0) + gzip.compress(second, mtime=0)
    )
    (HERE / "nested.csv.gz.gz").write_bytes(gzip.compress(gzip.compress(text, mtime=0), mtime=0))
    # a member that declares (trailer ISIZE) 4 GiB - 1 of output: refused before anything is written
    bomb = bytearray(gzip.compress(b"\x00" * 100_000, mtime=0))
    struct.pack_into("<I", bomb, len(bomb) - 4, 0xFFFF_FFFF)
    (HERE / "declared_bomb.csv.gz").write_bytes(bytes(bomb))
    (HERE / "zeros_bomb.csv.gz").write_bytes(gzip.compress(b"\x00" * 40_000_000, compresslevel=9, mtime=0))
    (HERE / "not_gzip.csv.gz").write_bytes(text)
    (HERE / "unknown_inside.bin.gz").write_bytes(gzip.compress(text, mtime=0))
    (HERE / "empty.csv.gz").write_bytes(gzip.compress(b"", mtime=0))
    crc = bytearray(gzip.compress(text, mtime=0))
    crc[-8] ^= 0xFF  # a wrong CRC-32 in the trailer
    (HERE / "bad_crc.csv.gz").write_bytes(bytes(crc))


def legacy_excel_files() -> None:
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")

    def write_sheet(sheet, rows: list[list[str]]) -> None:
        for column, name in enumerate(HEADER):
            sheet.write(0, column, name)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if column == 3:
                    sheet.write(index, column, dt.datetime.fromisoformat(value), date_style)
                elif column in (2, 6, 9, 10, 11, 12) and value:
                    sheet.write(index, column, float(value))
                elif value:
                    sheet.write(index, column, value)

    book = xlwt.Workbook()
    sheet = book.add_sheet("Shipments")
    write_sheet(sheet, ROWS)
    sheet.write(len(ROWS) + 2, 1, "END")
    sheet.sheet_visible = True
    book.save(str(HERE / "shipments_end_marker.xls"))

    book = xlwt.Workbook()
    old = book.add_sheet("Old")
    write_sheet(old, [[*ROWS[0][:6], "99999", *ROWS[0][7:]]])
    old.visibility = 1
    current = book.add_sheet("Current")
    write_sheet(current, ROWS)
    current.sheet_visible = True
    current.selected = True
    book.active_sheet = 1
    book.save(str(HERE / "hidden_first_sheet.xls"))

    (HERE / "xlsx_named_xls.xls").write_bytes((HERE / "very_hidden_sheet.xlsx").read_bytes())
    (HERE / "damaged.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4)


def other_files() -> None:
    (HERE / "shipments").write_text(shipments_csv(), encoding="utf-8")
    (HERE / "shipments.xml").write_text("<shipments><line/></shipments>\n", encoding="utf-8")
    with zipfile.ZipFile(HERE / "shipments.zip", "w") as archive:
        archive.writestr("shipments.csv", shipments_csv())


if __name__ == "__main__":
    text_files()
    json_files()
    excel_files()
    binary_files()
    encoding_files()
    csv_structure_files()
    excel_hostile_files()
    json_hostile_files()
    gzip_files()
    legacy_excel_files()
    other_files()
