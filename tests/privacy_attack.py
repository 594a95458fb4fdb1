"""An attacker who holds the notice boards and every public file (spec 10.6-10.8).

The attacker reads one masked row (``张*明``, ``440105********1234``) and
enumerates the identities consistent with it, most likely first:

* **numbers**: the hidden part of a masked resident-id number is the birth
  date; every date of the intake's birth window whose 17 digits give the
  check character the board shows (about 1 date in 11);
* **names**: the shown characters stay; each hidden character of a given name
  is filled from a frequency model of the characters parents chose for
  children born 2015-2023 (:data:`GIVEN_BY_FREQUENCY`, about 400 characters,
  most popular first), and a hidden given name whose other character shows
  is first tried as one of the popular two-character given names
  (:data:`POPULAR_GIVEN_NAMES`). This is the kind of model the attack in
  issue 12 used; a uniform 4,000-character alphabet (the estimate of spec
  version 1) is hundreds of times too optimistic.

Guesses come name-major: every date for the likeliest name, then every date
for the next. The model was written for these tests from the popular-name
lists published for recent birth cohorts; its exact order changes the counts,
not their size.

An *oracle* is any way to test one guess against a public file. Spec version
1's scrypt lookup index is one (:class:`V1Index`, rebuilt here exactly as
version 1 specified it). Version 2 has none that works without the 128-bit
receipt salt.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from stdnum.iso7064 import mod_11_2

from alloc.canonical import canonical_json
from alloc.identity import mask_document_number, mask_name

__all__ = [
    "GIVEN_BY_FREQUENCY",
    "POPULAR_GIVEN_NAMES",
    "SURNAMES_BY_FREQUENCY",
    "Attack",
    "MaskedRow",
    "V1Index",
    "attack",
    "birth_dates",
    "candidate_names",
    "candidate_numbers",
    "guesses",
    "masked_row",
    "position",
    "v1_mask_name",
    "v1_masked_row",
]


def _unique(text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for char in text.split() if " " in text else text:
        seen.setdefault(char, None)
    return tuple(seen)


#: Given-name characters, most popular first (children born 2015-2023).
GIVEN_BY_FREQUENCY: tuple[str, ...] = _unique(
    "子梓宇轩浩一诺辰涵欣怡沐奕泽睿依雨桐语汐若可馨萱晨宸俊博佳嘉思铭皓然航墨亦妍诗琪"
    "彤瑶悦乐安心晗熙昊天明文凯杰豪鑫雅婷静紫梦琳淇煜锦景瑾瑞钰阳晴晓玥伊艺恩苒芮茜菲蕊"
    "薇雪冰岚歆昕星希曦溪霖林森楠柏楷逸毅弘泓宏鸿翰瀚涛洋川帆远致志智哲喆祺麒麟琛晟昱煊"
    "烨炎灿耀正诚成承丞程铖锐骏峻驰腾飞鹏翔羽蔚清澄源润沛霏露霜晶莹璇璐琦琰瑜瑄琬珂珊"
    "颖婉娜娅娴婧媛姝妤嫣嫒姿芊芷若兰芸蓉荷莲菡萌蒙舒书畅彬斌韬略伟炜玮峰锋磊石岩山"
    "海江河波涵淼澜润渝新昕昀晞暄昭晖辉光亮朗旭曜煦焱彦言信义仁礼谦逊雍容华贵荣富康"
    "健齐全金鑫铭钧铎镇宁静怡悠恬甜蜜糖果橙柚柠檬桃李杏梅樱枫桦杨柳槿栩栎桉榕樾槐松"
    "竹笛筱箫简策笑颜朵蕾蓓蓓倩妮娟丽芳敏燕红霞艳萍玲玉秀英华美慧惠巧灵月星辰启航远帆"
    "嘉欣雨萌佑佐祐禾秋冬夏春晋鹤鸣凤凰龙虎彪豹骁勇武威震霆雷电云风雪霏霓虹彩绮绚韵"
    "律瑟琴棋书画墨砚卿君臣相宰政治理国邦家庭苑园庆祥福禄寿喜旺盛隆昌茂蔚蓬勃"
)

#: Surnames, most common first (the hundred or so that cover most of the population).
SURNAMES_BY_FREQUENCY: tuple[str, ...] = _unique(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常康易乔赖文樊兰殷施牛洪季欧"
)

#: Popular two-character given names, most popular first (the same cohorts).
POPULAR_GIVEN_NAMES: tuple[str, ...] = _unique(
    "浩然 梓涵 子涵 一诺 欣怡 梓萱 子墨 宇轩 浩宇 奕辰 雨桐 语桐 若汐 可馨 诗涵 佳琪 思彤"
    " 俊杰 博文 嘉睿 沐阳 天佑 雅婷 紫萱 明辉 家豪 梦瑶 皓然 乐瑶 昊天 心怡 安然 欣妍 依诺"
    " 亦辰 宇泽 沐宸 子轩 梓轩 一鸣 梓睿 宇航 晨曦 雨涵 思涵 梓琪 芷若 艺涵 诗琪 梓晨 语汐"
    " 锦程 睿泽 俊熙 浩轩 宇辰 梓豪 铭泽 明轩 煜祺 智宸 晟睿 天宇 文昊 明杰 立诚 峻熙 弘文"
    " 熠彤 鸿煊 烨霖 哲瀚 致远 俊驰 雨泽 晟轩 雨晨 欣然 怡然 悠然 嘉怡 佳怡 梓妍 可欣 思琪"
    " 雨欣 雅琪 梦琪 佳怡 嘉欣 欣悦 悦然 语嫣 思雨 雨萱 一凡 嘉懿 煜城 懿轩 烨伟 苑博 伟泽"
    " 熠彤 鸿涛 博涛 烨华 煜祺 晋鹏 晨阳 宇航 皓轩 子豪 浩然 博远 昊然 伟诚 思远 嘉乐 天翊"
)


def birth_dates(first: datetime.date, last: datetime.date) -> list[str]:
    """Every date from ``first`` to ``last`` as ``YYYYMMDD``."""
    days = (last - first).days
    return [(first + datetime.timedelta(d)).strftime("%Y%m%d") for d in range(days + 1)]


@dataclass(frozen=True)
class MaskedRow:
    """One line of a notice board: what the attacker starts from."""

    registration_number: str
    masked_name: str
    masked_number: str


def masked_row(registration_number: str, number: str, name: str) -> MaskedRow:
    """The board line of a registered child, with this version's masks."""
    return MaskedRow(
        registration_number, mask_name(name), mask_document_number("resident-id", number)
    )


def candidate_numbers(masked: str, dates: list[str], regions: tuple[str, ...]) -> list[str]:
    """Resident-id numbers consistent with a masked one, one per fitting region and date.

    Version 1's mask showed the region (``440105********1234``); version 2's
    shows only the last 4 characters (``**************1234``), and the
    attacker tries the district's ``regions``.
    """
    if re.fullmatch(r"[0-9]{6}\*{8}[0-9]{3}[0-9X]", masked):
        regions = (masked[:6],)
    elif not re.fullmatch(r"\*{14}[0-9]{3}[0-9X]", masked):
        return []
    sequence, check = masked[14:17], masked[17]
    out = []
    for region in regions:
        for date in dates:
            body = region + date + sequence
            if mod_11_2.calc_check_digit(body) == check:
                out.append(body + check)
    return out


def _compositions(total: int, sizes: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    """Index tuples, one below each of ``sizes``, whose sum is ``total``."""
    if len(sizes) == 1:
        if 0 <= total < sizes[0]:
            yield (total,)
        return
    rest_most = sum(s - 1 for s in sizes[1:])
    for first in range(max(0, total - rest_most), min(total, sizes[0] - 1) + 1):
        for rest in _compositions(total - first, sizes[1:]):
            yield (first, *rest)


def _by_rank_sum(pools: tuple[tuple[str, ...], ...]) -> Iterator[tuple[str, ...]]:
    """One item from each pool, the likeliest combinations (lowest rank sum) first."""
    sizes = tuple(len(p) for p in pools)
    for total in range(sum(s - 1 for s in sizes) + 1):
        for combo in _compositions(total, sizes):
            yield tuple(pool[i] for pool, i in zip(pools, combo, strict=True))


def candidate_names(masked: str) -> Iterator[str]:
    """Full names consistent with a masked Chinese name, likeliest first.

    A shown surname (one character, or a compound one shown whole) stays; a
    hidden one comes from :data:`SURNAMES_BY_FREQUENCY`. Hidden given-name
    characters come from the frequency model; a two-character given name
    with one character shown is first tried among the popular given names.
    """
    if not masked or " " in masked or "·" in masked:
        return
    if masked[0] == "*":
        # Nothing shown: a one-character surname and a hidden given name.
        if len(masked) < 2:
            return
        tried: set[str] = set()
        if len(masked) == 3:
            for surname, given in _by_rank_sum((SURNAMES_BY_FREQUENCY, POPULAR_GIVEN_NAMES)):
                tried.add(surname + given)
                yield surname + given
        pools = (SURNAMES_BY_FREQUENCY, *([GIVEN_BY_FREQUENCY] * (len(masked) - 1)))
        for parts in _by_rank_sum(pools):
            if "".join(parts) not in tried:
                yield "".join(parts)
        return
    surname_length = 2 if len(masked) > 2 and masked[1] != "*" else 1
    surname, pattern = masked[:surname_length], masked[surname_length:]
    seen: set[str] = set()
    if len(pattern) == 2:
        for popular in POPULAR_GIVEN_NAMES:
            if all(p in ("*", c) for p, c in zip(pattern, popular, strict=True)):
                seen.add(popular)
                yield surname + popular
    for chars in _by_rank_sum((GIVEN_BY_FREQUENCY,) * pattern.count("*")):
        fill = iter(chars)
        given = "".join(next(fill) if p == "*" else p for p in pattern)
        if given not in seen:
            yield surname + given


def guesses(
    row: MaskedRow, dates: list[str], regions: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    """(number, name) pairs consistent with the row, name-major, likeliest first."""
    numbers = candidate_numbers(row.masked_number, dates, regions)
    if not numbers:
        return
    for name in candidate_names(row.masked_name):
        for number in numbers:
            yield number, name


def position(
    row: MaskedRow,
    number: str,
    name: str,
    *,
    dates: list[str],
    regions: tuple[str, ...],
    cap: int = 10**7,
) -> int | None:
    """How many guesses find (number, name) from ``row``: the count an oracle would need.

    Computed from the name's place in the enumeration without testing any
    guess; None if the name is not among the first ``cap`` names.
    """
    numbers = candidate_numbers(row.masked_number, dates, regions)
    if number not in numbers:
        return None
    for index, guess in enumerate(itertools.islice(candidate_names(row.masked_name), cap)):
        if guess == name:
            return index * len(numbers) + numbers.index(number) + 1
    return None


@dataclass(frozen=True)
class Attack:
    """The outcome of attacking one row with a budget of guesses."""

    registration_number: str
    guesses: int
    number: str | None
    name: str | None

    @property
    def recovered(self) -> bool:
        return self.number is not None


def attack(
    row: MaskedRow,
    oracle: Callable[[str, str], bool],
    *,
    dates: list[str],
    regions: tuple[str, ...],
    budget: int,
) -> Attack:
    """Try ``row``'s guesses against ``oracle`` until it says yes or ``budget`` runs out."""
    count = 0
    for number, name in itertools.islice(guesses(row, dates, regions), budget):
        count += 1
        if oracle(number, name):
            return Attack(row.registration_number, count, number, name)
    return Attack(row.registration_number, count, None, None)


# --- spec version 1's masks and public lookup index, rebuilt to attack them ----------


def v1_mask_name(name: str) -> str:
    """Version 1's name mask: 张三 -> 张*, 张三明 -> 张*明, 欧阳娜娜 -> 欧阳** (one-part names)."""
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    if name[:2] in {"欧阳", "司马", "上官", "诸葛", "东方"}:
        return name[:2] + "*" * (len(name) - 2)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def v1_masked_row(registration_number: str, number: str, name: str) -> MaskedRow:
    """A child's board line as version 1 printed it (``张*明``, ``440105********1234``)."""
    return MaskedRow(registration_number, v1_mask_name(name), number[:6] + "*" * 8 + number[14:])


@dataclass(frozen=True)
class V1Index:
    """The scrypt-keyed public index of spec version 1 (10.7-10.8 as they were).

    ``key = scrypt("alloc/v1/lookup" 0x00 draw_id 0x00 type 0x00 number 0x00
    name, per-draw public salt, n, r, p)``; the public entry id is
    ``SHA-256("alloc/v1/lookup-id" 0x00 key)``. Anyone holding the file can
    test a (number, name) guess with one scrypt evaluation: that is the oracle.
    """

    draw_id: str
    salt: bytes
    n: int
    r: int
    p: int
    entry_ids: frozenset[str]

    @staticmethod
    def key(draw_id: str, salt: bytes, n: int, r: int, p: int, number: str, name: str) -> bytes:
        password = b"\x00".join(
            [b"alloc/v1/lookup", draw_id.encode(), b"resident-id", number.encode(), name.encode()]
        )
        return hashlib.scrypt(
            password, salt=salt, n=n, r=r, p=p, maxmem=128 * r * (n + p + 2) + 1024, dklen=32
        )

    @staticmethod
    def entry_id(key: bytes) -> str:
        return hashlib.sha256(b"alloc/v1/lookup-id\x00" + key).hexdigest()

    @classmethod
    def build(
        cls,
        draw_id: str,
        identities: Mapping[str, tuple[str, str]],
        *,
        salt: bytes,
        n: int,
        r: int = 1,
        p: int = 1,
    ) -> V1Index:
        """From registration number to (number, name), as version 1's publish would."""
        ids = frozenset(
            cls.entry_id(cls.key(draw_id, salt, n, r, p, number, name))
            for number, name in identities.values()
        )
        return cls(draw_id, salt, n, r, p, ids)

    def to_bytes(self) -> bytes:
        """The file's public part (the sealed answers do not matter to the attack)."""
        params = {
            "spec": 1,
            "kdf": "scrypt",
            "draw_id": self.draw_id,
            "salt": self.salt.hex(),
            "n": self.n,
            "r": self.r,
            "p": self.p,
        }
        return canonical_json({"params": params, "entries": sorted(self.entry_ids)})

    def oracle(self, number: str, name: str) -> bool:
        key = self.key(self.draw_id, self.salt, self.n, self.r, self.p, number, name)
        return self.entry_id(key) in self.entry_ids
