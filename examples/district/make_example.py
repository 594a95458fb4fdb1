"""Regenerate the example district's input files from alloc's synthetic data.

The files here are what a bureau gets from its registration system: a
kindergarten list and the applicants with names, ID numbers and receipt
salts (made up, with valid check characters). Run from anywhere::

    python examples/district/make_example.py

The output is deterministic; ``tests/test_examples.py`` checks that the
committed files are exactly what this script writes.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from alloc import io as files
from alloc.synthetic import synthetic_district, synthetic_registry

HERE = Path(__file__).resolve().parent
DRAW_ID = "2026-example-district"


def kindergartens_csv() -> bytes:
    """The kindergarten list, as a bureau keeps it (UTF-8 with BOM, Chinese headers)."""
    district = synthetic_district(draw_id=DRAW_ID)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["幼儿园编号", "幼儿园名称", "学位数", "预留学位"])
    for kg in district.rules.kindergartens:
        blocks = "; ".join(f"{b.name}={b.seats}@{b.fact}" for b in kg.blocks)
        writer.writerow([kg.id, kg.name, kg.seats, blocks])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def applicants_gbk_csv() -> bytes:
    """The applicants as a registration system exports them: GBK, Chinese headers,
    full-width digits and a lower-case x here and there, and blank trailing rows."""
    district = synthetic_district(draw_id=DRAW_ID)
    table = district.applicants
    registry = synthetic_registry(table)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "报名编号",
            "幼儿姓名",
            "证件类型",
            "身份证号",
            "第一志愿",
            "第二志愿",
            "第三志愿",
            "类别",
            "多胞胎编号",
            "优先条件",
            "回执校验码",
        ]
    )
    facts: dict[int, list[str]] = {}
    for row, code, kg in zip(
        table.fact_rows.tolist(),
        table.fact_codes.tolist(),
        table.fact_kindergartens.tolist(),
        strict=True,
    ):
        facts.setdefault(row, []).append(f"{table.fact_names[code]}@{table.kindergarten_ids[kg]}")
    assert table.tiers is not None
    assert table.groups is not None
    for row, reg in enumerate(table.registration_numbers):
        entry = registry[reg]
        number = entry.identity.document_number
        if row % 7 == 0:  # full-width digits, as typed on a Chinese keyboard
            number = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
        if number.endswith("X") and row % 2:
            number = number[:-1] + "x"
        choices = [table.kindergarten_ids[c] for c in table.choices[row] if c >= 0]
        tier = table.tier_names[int(table.tiers[row])]
        group = int(table.groups[row])
        writer.writerow(
            [
                reg,
                entry.identity.name,
                "居民身份证",
                number,
                *choices,
                *[""] * (3 - len(choices)),
                tier,
                table.group_ids[group] if group >= 0 else "",
                "; ".join(facts.get(row, [])),
                entry.receipt.salt_text,
            ]
        )
    writer.writerow([""] * 11)
    writer.writerow([""] * 11)
    return out.getvalue().encode("gbk")


def main(target: Path = HERE) -> int:
    """Write every example file into ``target``."""
    district = synthetic_district(draw_id=DRAW_ID)
    registry = synthetic_registry(district.applicants)
    target.mkdir(parents=True, exist_ok=True)
    (target / "kindergartens.csv").write_bytes(kindergartens_csv())
    (target / "applicants-gbk.csv").write_bytes(applicants_gbk_csv())
    files.write_applicants(target / "applicants.csv", district.applicants, registry, force=True)
    files.write_applicants(target / "applicants.xlsx", district.applicants, registry, force=True)
    print(f"wrote the example district to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
