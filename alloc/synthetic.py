"""Deterministic synthetic districts for examples, demos, tests and benchmarks.

Synthetic data never decides a real outcome, but examples must be the same on
every machine and every Python version, so it is drawn from a SHAKE-256
stream rather than :mod:`random`, whose algorithms are not promised stable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt

from alloc.errors import InputError
from alloc.i18n import _
from alloc.model import (
    ApplicantTable,
    DrawRules,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    SeatBlock,
)

__all__ = [
    "Stream",
    "SyntheticDistrict",
    "synthetic_district",
    "synthetic_registry",
    "synthetic_registry_bulk",
]

if TYPE_CHECKING:
    from alloc.registry import Registry

_T = TypeVar("_T")

TIERS = ("policy-care", "local", "other")


class Stream:
    """A reproducible stream of pseudo-random numbers from SHAKE-256(label || counter)."""

    def __init__(self, label: str) -> None:
        self._label = label.encode("utf-8")
        self._counter = 0

    def block(self, count: int) -> npt.NDArray[np.uint64]:
        """``count`` uniform 64-bit integers (one SHAKE-256 call per block)."""
        digest = hashlib.shake_256(self._label + self._counter.to_bytes(8, "big")).digest(8 * count)
        self._counter += 1
        return np.frombuffer(digest, dtype=">u8").astype(np.uint64)

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
    min_choices: int | None = None,
    twins: int = 40,
    triplets: int = 2,
    mechanism: Mechanism = Mechanism.DEFERRED_ACCEPTANCE,
    multiples: MultiplesPolicy = MultiplesPolicy.BUNDLE,
    phases: bool = True,
    waitlist_length: int = 20,
    seats: int | None = None,
    label: str = "alloc synthetic district v1",
) -> SyntheticDistrict:
    """A district modelled on a real one.

    Kindergartens have 3 to 9 classes of 25 to 30; every fifth is an estate
    kindergarten with an owners' block, every seventh an institution
    kindergarten with a staff block; blocks stay within 10% of seats (a 90%
    lottery share). Applicants pick ``choices`` kindergartens, weighted toward
    popular ones (with ``min_choices``, between that many and ``choices``),
    fall into three tiers, and include ``twins`` pairs and
    ``triplets`` sets with identical choices. With ``phases`` an owners' phase
    at estate kindergartens precedes the social draw.

    ``seats``, if given, scales every kindergarten's number of classes (at
    least one) so the district offers about that many seats in all; the
    benchmarks use it to keep seats at a realistic share of applicants.
    """
    stream = Stream(f"{label}/{draw_id}/{kindergartens}/{applicants}")
    shape = [
        (int(stream.integers(3, 10, 1)[0]), int(stream.integers(25, 31, 1)[0]))
        for _ in range(kindergartens)
    ]
    scale = 1.0 if seats is None else seats / max(sum(c * s for c, s in shape), 1)
    digits = max(3, len(str(kindergartens)))  # ids of one width, as registries issue them
    kgs = []
    for k, (classes, size) in enumerate(shape):
        capacity = (classes if seats is None else max(round(classes * scale), 1)) * size
        blocks: list[SeatBlock] = []
        if k % 5 == 0:
            blocks.append(SeatBlock("owners", capacity // 10, "owner"))
        elif k % 7 == 3:
            blocks.append(SeatBlock("staff", min(5, capacity // 10), "staff"))
        kgs.append(
            Kindergarten(
                id=f"K{k + 1:0{digits}d}",
                name=f"第{k + 1}幼儿园",
                seats=capacity,
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
    picks = _choices(stream, kgs, n, width)
    if min_choices is not None:
        listed = stream.integers(min(min_choices, width), width + 1, n)
        picks[np.arange(width) >= listed[:, None]] = -1
    tier_draw = stream.uniform(n)
    tiers = np.where(tier_draw < 0.05, 0, np.where(tier_draw < 0.55, 1, 2)).astype(np.int32)

    # Multiples: the first rows form the groups; siblings copy the first
    # member's choices and tier.
    groups = np.full(n, -1, np.int32)
    sizes = [2] * twins + [3] * triplets
    group_ids: list[str] = []
    row = 0
    for size in sizes:
        if row + size > n:
            break
        group_ids.append(f"G{len(group_ids) + 1:04d}")
        groups[row : row + size] = len(group_ids) - 1
        picks[row + 1 : row + size] = picks[row]
        tiers[row + 1 : row + size] = tiers[row]
        row += size

    # Owners at estate kindergartens and staff at institution ones, among
    # applicants who list them; siblings share the first member's facts.
    family = np.arange(n)
    grouped = groups >= 0
    if grouped.any():
        first_member = np.full(len(group_ids), n, np.int64)
        np.minimum.at(first_member, groups[grouped], np.flatnonzero(grouped))
        family[grouped] = first_member[groups[grouped]]
    fact_draw = stream.uniform(n)[family]
    kind = np.array([(k.blocks[0].fact if k.blocks else "") for k in kgs] + [""])
    listed = np.where(picks >= 0, picks, len(kgs))
    owner = (kind[listed] == "owner") & (fact_draw[:, None] < 0.15)
    staff = (kind[listed] == "staff") & (fact_draw[:, None] > 0.98)
    rows_o, cols_o = np.nonzero(owner)
    rows_s, cols_s = np.nonzero(staff)
    fact_rows = np.r_[rows_o, rows_s]
    fact_codes = np.r_[np.zeros(rows_o.size, np.int32), np.ones(rows_s.size, np.int32)]
    fact_kgs = np.r_[picks[rows_o, cols_o], picks[rows_s, cols_s]]
    order = np.lexsort((fact_kgs, fact_codes, fact_rows))
    places = max(7, len(str(n)))  # registration numbers of one width
    table = ApplicantTable(
        registration_numbers=tuple(f"{draw_id[:4]}-{r + 1:0{places}d}" for r in range(n)),
        kindergarten_ids=tuple(k.id for k in kgs),
        choices=picks,
        tier_names=TIERS,
        tiers=tiers,
        group_ids=tuple(group_ids),
        groups=groups,
        fact_names=("owner", "staff"),
        fact_rows=fact_rows[order].astype(np.int32),
        fact_codes=fact_codes[order].astype(np.int32),
        fact_kindergartens=fact_kgs[order].astype(np.int32),
    )
    return SyntheticDistrict(rules=rules, applicants=table)


_CHUNK = 1 << 20  # applicants per block of random draws for choices


def _choices(
    stream: Stream, kgs: Sequence[Kindergarten], n: int, width: int
) -> npt.NDArray[np.int32]:
    """Each applicant's distinct choices: mostly near a home kindergarten, some popular ones.

    Homes are spread in proportion to seats; 70% of picks fall within a few
    kindergartens of home, the rest follow a skewed district-wide popularity.
    Above a million applicants the draws are made a million at a time, so the
    working arrays stay small.
    """
    if n > _CHUNK:
        return np.concatenate(
            [_choices(stream, kgs, min(_CHUNK, n - at), width) for at in range(0, n, _CHUNK)]
        )
    count = len(kgs)
    seats = np.array([k.seats for k in kgs], np.float64)
    home = np.searchsorted(np.cumsum(seats / seats.sum()), stream.uniform(n), side="right")
    popularity = 1.0 / (1.0 + np.arange(count, dtype=np.float64)) ** 0.6
    cumulative = np.cumsum(popularity / popularity.sum())
    slots = width * 4
    offset = np.floor((stream.uniform(n * slots) - 0.5) * 9).astype(np.int64).reshape(n, slots)
    near = (np.minimum(home, count - 1)[:, None] + offset) % count
    far = np.searchsorted(cumulative, stream.uniform(n * slots), side="right").reshape(n, slots)
    candidates = np.where(stream.uniform(n * slots).reshape(n, slots) < 0.7, near, far)
    candidates = np.minimum(candidates, count - 1)
    # Keep each row's first occurrences, in order, up to ``width`` of them.
    order = np.argsort(candidates, axis=1, kind="stable")
    ranked = np.take_along_axis(candidates, order, axis=1)
    repeat = np.zeros_like(ranked, dtype=np.bool_)
    repeat[:, 1:] = ranked[:, 1:] == ranked[:, :-1]
    first = np.ones_like(repeat)
    np.put_along_axis(first, order, ~repeat, axis=1)
    keep = first & (np.cumsum(first, axis=1) <= width)
    position = np.where(keep, np.arange(slots), slots)
    chosen = np.sort(position, axis=1)[:, :width]
    picks = np.where(
        chosen < slots, np.take_along_axis(candidates, np.minimum(chosen, slots - 1), axis=1), -1
    )
    return picks.astype(np.int32)


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
# Six districts over two birth years hold about four million numbers; a
# registry larger than that moves on to these Guangdong district codes (each
# valid for births in 2022 and 2023 in python-stdnum's table).
_MORE_REGIONS = (
    "440113",
    "440114",
    "440115",
    "440117",
    "440118",
    "440203",
    "440204",
    "440205",
    "440222",
    "440224",
    "440229",
    "440232",
    "440233",
    "440281",
    "440282",
    "440303",
    "440304",
    "440305",
    "440306",
    "440307",
    "440308",
    "440309",
    "440310",
    "440311",
    "440402",
    "440403",
    "440404",
    "440507",
    "440511",
    "440512",
    "440513",
    "440514",
    "440515",
    "440523",
    "440604",
    "440605",
    "440606",
    "440607",
    "440608",
    "440703",
    "440704",
    "440705",
    "440781",
    "440783",
    "440784",
    "440785",
    "440802",
    "440803",
)
# Numbers per region: 2 birth years x 12 months x 28 days x 1,000 sequences.
_PER_REGION = 2 * 12 * 28 * 1000
# A region and birth date with this many of its 1,000 numbers given is full.
_FULL = 900


def _birth(stream: Stream) -> str:
    """A region code and birth date: the first 14 characters of an ID number."""
    region = stream.choice(_REGIONS)
    year = 2022 + int(stream.integers(0, 2, 1)[0])
    month = int(stream.integers(1, 13, 1)[0])
    day = int(stream.integers(1, 29, 1)[0])
    return f"{region}{year:04d}{month:02d}{day:02d}"


def _resident_id(stream: Stream, birth: str) -> str:
    from stdnum.iso7064 import mod_11_2  # noqa: PLC0415 - only synthetic data needs it

    body = f"{birth}{int(stream.integers(0, 1000, 1)[0]):03d}"
    return body + mod_11_2.calc_check_digit(body)


def synthetic_registry(
    table: ApplicantTable, *, label: str = "alloc synthetic registry v1"
) -> Registry:
    """Made-up names, resident ID numbers and receipt salts for every applicant.

    Siblings in a multiples group share a surname; a few names use compound
    surnames so masks are exercised.

    Raises:
        InputError: for more applicants than a third of the made-up
            numbers (about 12 million).
    """
    from alloc.identity import DocumentType, PrivateIdentity  # noqa: PLC0415
    from alloc.registry import Registration, Registry  # noqa: PLC0415

    most = (len(_REGIONS) + len(_MORE_REGIONS)) * _PER_REGION // 3
    if len(table) > most:
        raise InputError(
            _("synthetic_registry makes at most {most:,} children, not {count:,}").format(
                most=most, count=len(table)
            ),
            code="synthetic.too-many",
            field="applicants",
            value=len(table),
        )
    stream = Stream(f"{label}/{len(table)}/{table.registration_numbers[:1]}")
    assert table.groups is not None
    family: dict[int, tuple[str, str]] = {}
    seen: set[str] = set()
    used: dict[str, int] = {}  # numbers given per region and birth date
    entries = []
    for row, reg in enumerate(table.registration_numbers):
        group = int(table.groups[row])
        # Siblings in a multiples group share a surname and a birth date.
        if group >= 0 and group in family:
            surname, birth = family[group]
        else:
            surname = (
                stream.choice(_COMPOUND)
                if stream.uniform(1)[0] < 0.02
                else stream.choice(_SURNAMES)
            )
            birth = _birth(stream)
            if group >= 0:
                family[group] = (surname, birth)
        given = "".join(stream.choice(_GIVEN) for _ in range(1 + int(stream.uniform(1)[0] < 0.7)))
        key = birth
        while True:
            if used.get(key, 0) >= _FULL:
                # Only past about three million children: this district's
                # numbers for the date are nearly all taken, so use another's.
                key = stream.choice(_MORE_REGIONS) + birth[6:]
                continue
            number = _resident_id(stream, key)
            if number not in seen:
                break
        used[key] = used.get(key, 0) + 1
        seen.add(number)
        identity = PrivateIdentity(
            name=surname + given, document_type=DocumentType.RESIDENT_ID, document_number=number
        )
        salt = stream.block(2).astype(">u8").tobytes()
        entries.append(Registration(registration_number=reg, identity=identity, salt=salt))
    return Registry(entries)


#: GB 11643's check characters, indexed by the weighted digit sum modulo 11.
_CHECK_CHARACTERS = "10X98765432"
_CHECK_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)


def synthetic_registry_bulk(
    table: ApplicantTable, *, label: str = "alloc synthetic registry bulk v1"
) -> Registry:
    """As :func:`synthetic_registry`, made column by column for province-sized tests.

    About a second for 200,000 children where :func:`synthetic_registry`
    takes half a minute; the names, numbers and salts differ from it (so the
    demo keeps its own). Siblings in a multiples group share a surname. ID
    numbers are valid and distinct by construction: the sequence number,
    birth date and region of the child shuffled to place i are i's digits in
    a mixed radix.

    Raises:
        InputError: for more applicants than the made-up numbers
            (about 4 million).
    """
    from alloc.identity import DocumentType  # noqa: PLC0415
    from alloc.registry import Registry  # noqa: PLC0415

    n = len(table)
    days = 2 * 12 * 28
    most = len(_REGIONS) * days * 1000
    if n > most:
        raise InputError(
            _("synthetic_registry_bulk makes at most {most:,} children, not {count:,}").format(
                most=most, count=n
            ),
            code="synthetic.too-many",
            field="applicants",
            value=n,
        )
    stream = Stream(f"{label}/{n}/{table.registration_numbers[:1]}")
    order = np.argsort(stream.block(n), kind="stable")  # a fixed shuffle of the numbers
    sequence = order % 1000  # spread, as real numbers' last digits are
    day = (order // 1000) % days
    region = order // (1000 * days)
    year, rest = 2022 + day // (12 * 28), day % (12 * 28)
    month, date = 1 + rest // 28, 1 + rest % 28
    digits = np.empty((n, 17), dtype=np.int64)
    for at, code in enumerate(_REGIONS):
        digits[region == at, :6] = [int(c) for c in code]
    for start, values, width in ((6, year, 4), (10, month, 2), (12, date, 2), (14, sequence, 3)):
        for k in range(width):
            digits[:, start + k] = values // 10 ** (width - 1 - k) % 10
    check = (digits @ _CHECK_WEIGHTS) % 11
    body = ["".join(map(str, row)) for row in digits.tolist()]
    numbers = [b + _CHECK_CHARACTERS[c] for b, c in zip(body, check.tolist(), strict=True)]
    surnames = np.array(list(_SURNAMES), dtype=object)[stream.integers(0, len(_SURNAMES), n)]
    groups = table.groups if table.groups is not None else np.full(n, -1)
    firsts: dict[int, int] = {}
    for row, group in enumerate(groups.tolist()):
        if group >= 0:
            surnames[row] = surnames[firsts.setdefault(group, row)]
    given = np.array(list(_GIVEN), dtype=object)
    one = given[stream.integers(0, len(given), n)]
    two = np.where(stream.uniform(n) < 0.7, given[stream.integers(0, len(given), n)], "")
    names = (surnames + one + two).tolist()
    salts = np.frombuffer(
        hashlib.shake_256(f"{label}/salts/{n}".encode()).digest(16 * n), dtype=np.uint8
    ).reshape(n, 16)
    return Registry._from_normalised(
        registration_numbers=list(table.registration_numbers),
        names=names,
        document_types=[DocumentType.RESIDENT_ID] * n,
        document_numbers=numbers,
        guardian_contacts=[None] * n,
        salts=salts,
    )
