"""Deterministic synthetic districts for examples, demos, tests and benchmarks.

Synthetic data never decides a real outcome, but examples must be the same on
every machine and every Python version, so it is drawn from a SHA-256 counter
stream rather than :mod:`random`, whose algorithms are not promised stable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt

from alloc.model import (
    ApplicantTable,
    DrawRules,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    SeatBlock,
)

__all__ = ["Stream", "SyntheticDistrict", "synthetic_district", "synthetic_registry"]

if TYPE_CHECKING:
    from alloc.registry import Registry

_T = TypeVar("_T")

TIERS = ("policy-care", "local", "other")


class Stream:
    """A reproducible stream of pseudo-random numbers: SHA-256(label || counter)."""

    def __init__(self, label: str) -> None:
        self._label = label.encode("utf-8")
        self._counter = 0

    def block(self, count: int) -> npt.NDArray[np.uint64]:
        """``count`` uniform 64-bit integers."""
        words = []
        needed = (count + 3) // 4
        for _ in range(needed):
            digest = hashlib.sha256(self._label + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            words.append(digest)
        raw = np.frombuffer(b"".join(words), dtype=">u8")[:count]
        return raw.astype(np.uint64)

    def integers(self, low: int, high: int, count: int) -> npt.NDArray[np.int64]:
        """``count`` integers in ``[low, high)`` (modulo bias is irrelevant here)."""
        span = np.uint64(high - low)
        return (self.block(count) % span).astype(np.int64) + low

    def uniform(self, count: int) -> npt.NDArray[np.float64]:
        """``count`` floats in [0, 1), for shaping synthetic data only."""
        return (self.block(count) >> np.uint64(11)).astype(np.float64) / float(2**53)

    def choice(self, items: Sequence[_T]) -> _T:
        return items[int(self.integers(0, len(items), 1)[0])]


@dataclass(frozen=True)
class SyntheticDistrict:
    """Rules and applicants of a made-up district draw."""

    rules: DrawRules
    applicants: ApplicantTable


def synthetic_district(
    *,
    draw_id: str = "2026-example-district",
    kindergartens: int = 30,
    applicants: int = 5000,
    choices: int = 3,
    twins: int = 40,
    triplets: int = 2,
    mechanism: Mechanism = Mechanism.DEFERRED_ACCEPTANCE,
    multiples: MultiplesPolicy = MultiplesPolicy.BUNDLE,
    phases: bool = True,
    waitlist_length: int = 20,
    label: str = "alloc synthetic district v1",
) -> SyntheticDistrict:
    """A district modelled on a real one.

    Kindergartens have 3 to 9 classes of 25 to 30; every fifth is an estate
    kindergarten with an owners' block, every seventh an institution
    kindergarten with a staff block; blocks stay within 10% of seats (a 90%
    lottery share). Applicants pick ``choices`` kindergartens, weighted toward
    popular ones, fall into three tiers, and include ``twins`` pairs and
    ``triplets`` sets with identical choices. With ``phases`` an owners' phase
    at estate kindergartens precedes the social draw.
    """
    stream = Stream(f"{label}/{draw_id}/{kindergartens}/{applicants}")
    kgs = []
    for k in range(kindergartens):
        classes = int(stream.integers(3, 10, 1)[0])
        size = int(stream.integers(25, 31, 1)[0])
        seats = classes * size
        blocks: list[SeatBlock] = []
        if k % 5 == 0:
            blocks.append(SeatBlock("owners", seats // 10, "owner"))
        elif k % 7 == 3:
            blocks.append(SeatBlock("staff", min(5, seats // 10), "staff"))
        kgs.append(
            Kindergarten(
                id=f"K{k + 1:03d}",
                name=f"第{k + 1}幼儿园",
                seats=seats,
                blocks=tuple(blocks),
            )
        )
    rules = DrawRules(
        draw_id=draw_id,
        title="2026年秋季公办幼儿园电脑派位（示例）",
        authority="示例区教育局",
        kindergartens=tuple(kgs),
        mechanism=mechanism,
        tiers=TIERS,
        multiples=multiples,
        waitlist_length=waitlist_length,
        min_lottery_percent=90,
        phases=(
            (Phase("owners", fact="owner", blocks=("owners",)), Phase("social")) if phases else ()
        ),
    )

    n = applicants
    width = min(choices, kindergartens)
    popularity = 1.0 / (1.0 + np.arange(kindergartens, dtype=np.float64)) ** 0.6
    cumulative = np.cumsum(popularity / popularity.sum())
    picks = np.full((n, width), -1, np.int32)
    draws = stream.uniform(n * width * 4).reshape(n, width * 4)
    for row in range(n):
        chosen: list[int] = []
        for u in draws[row]:
            code = int(np.searchsorted(cumulative, u, side="right"))
            code = min(code, kindergartens - 1)
            if code not in chosen:
                chosen.append(code)
            if len(chosen) == width:
                break
        picks[row, : len(chosen)] = chosen
    tier_draw = stream.uniform(n)
    tiers = np.where(tier_draw < 0.05, 0, np.where(tier_draw < 0.55, 1, 2)).astype(np.int32)

    groups = np.full(n, -1, np.int32)
    group_ids: list[str] = []
    row = 0
    for size, count in ((2, twins), (3, triplets)):
        for _ in range(count):
            if row + size > n:
                break
            gid = len(group_ids)
            group_ids.append(f"G{gid + 1:04d}")
            members = range(row, row + size)
            for member in members:
                groups[member] = gid
                picks[member] = picks[row]
                tiers[member] = tiers[row]
            row += size

    # Owners at estate kindergartens and staff at institution ones, among
    # applicants who list them.
    fact_rows: list[int] = []
    fact_codes: list[int] = []
    fact_kgs: list[int] = []
    owner_draw = stream.uniform(n)
    for r in range(n):
        for code in picks[r]:
            if code < 0:
                continue
            block = kgs[code].blocks
            if block and block[0].fact == "owner" and owner_draw[r] < 0.15:
                fact_rows.append(r)
                fact_codes.append(0)
                fact_kgs.append(int(code))
            elif block and block[0].fact == "staff" and owner_draw[r] > 0.98:
                fact_rows.append(r)
                fact_codes.append(1)
                fact_kgs.append(int(code))
    # Siblings share their family's facts.
    sibling_facts = [
        (r, c, k) for r, c, k in zip(fact_rows, fact_codes, fact_kgs, strict=True) if groups[r] >= 0
    ]
    keep = [
        (r, c, k) for r, c, k in zip(fact_rows, fact_codes, fact_kgs, strict=True) if groups[r] < 0
    ]
    for r, c, k in sibling_facts:
        head = int(np.flatnonzero(groups == groups[r])[0])
        if r == head:
            for member in np.flatnonzero(groups == groups[r]).tolist():
                keep.append((member, c, k))
    keep.sort()
    table = ApplicantTable(
        registration_numbers=tuple(f"{draw_id[:4]}-{r + 1:07d}" for r in range(n)),
        kindergarten_ids=tuple(k.id for k in kgs),
        choices=picks,
        tier_names=TIERS,
        tiers=tiers,
        group_ids=tuple(group_ids),
        groups=groups,
        fact_names=("owner", "staff"),
        fact_rows=np.array([k[0] for k in keep], np.int32),
        fact_codes=np.array([k[1] for k in keep], np.int32),
        fact_kindergartens=np.array([k[2] for k in keep], np.int32),
    )
    return SyntheticDistrict(rules=rules, applicants=table)


_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖"
    "石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵"
    "万覃武钱戴严欧莫孔向常汤康易乔赖文"
)
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方")
_GIVEN = (
    "子梓浩宇轩一诺欣怡雨涵思彤佳琪俊杰晨曦博文嘉睿若汐沐阳语桐可"
    "馨铭泽安然天佑雅婷紫萱明辉宁静家豪梦瑶皓然乐瑶昊天心怡"
)
_REGIONS = ("440103", "440104", "440105", "440106", "440111", "440112")


def _resident_id(stream: Stream) -> str:
    from stdnum.iso7064 import mod_11_2  # noqa: PLC0415 - only synthetic data needs it

    region = stream.choice(_REGIONS)
    year = 2022 + int(stream.integers(0, 2, 1)[0])
    month = int(stream.integers(1, 13, 1)[0])
    day = int(stream.integers(1, 29, 1)[0])
    sequence = int(stream.integers(0, 1000, 1)[0])
    body = f"{region}{year:04d}{month:02d}{day:02d}{sequence:03d}"
    return body + mod_11_2.calc_check_digit(body)


def synthetic_registry(
    table: ApplicantTable, *, label: str = "alloc synthetic registry v1"
) -> Registry:
    """Made-up names, resident ID numbers and receipt salts for every applicant.

    Siblings in a multiples group share a surname; a few names use compound
    surnames so masks are exercised.
    """
    from alloc.identity import DocumentType, PrivateIdentity  # noqa: PLC0415
    from alloc.registry import Registration, Registry  # noqa: PLC0415

    stream = Stream(f"{label}/{len(table)}/{table.registration_numbers[:1]}")
    assert table.groups is not None
    family: dict[int, str] = {}
    seen: set[str] = set()
    entries = []
    for row, reg in enumerate(table.registration_numbers):
        group = int(table.groups[row])
        if group >= 0 and group in family:
            surname = family[group]
        else:
            surname = (
                stream.choice(_COMPOUND)
                if stream.uniform(1)[0] < 0.02
                else stream.choice(_SURNAMES)
            )
            if group >= 0:
                family[group] = surname
        given = "".join(stream.choice(_GIVEN) for _ in range(1 + int(stream.uniform(1)[0] < 0.7)))
        number = _resident_id(stream)
        while number in seen:
            number = _resident_id(stream)
        seen.add(number)
        identity = PrivateIdentity(
            name=surname + given, document_type=DocumentType.RESIDENT_ID, document_number=number
        )
        salt = stream.block(2).astype(">u8").tobytes()
        entries.append(Registration(registration_number=reg, identity=identity, salt=salt))
    return Registry(entries)
