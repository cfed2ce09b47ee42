"""A synthetic national corpus made from the four sample gazettes, for benchmarks.

``generate_corpus`` (the management command) loads N synthetic issues through
the real write path, ``records.loading.load_gazette``, and publishes them. Each
issue is one of the samples (records/fixtures/gazettes) made into another
city's issue of another year:

* the city (发布机关, region, every 营口市/营口 in the text) is one of 293
  prefecture-level cities; a city has a congress and/or a government gazette;
* the year and every date move with it (2021 年 → 2017 年, 〔2021〕 → 〔2017〕,
  二〇二一年 → 二〇一七年), the issue number and 总第N期 follow the series;
* every person the sample names (attendance, name lists, decisions,
  candidates) becomes a person of that city's cast for that term (届): the
  same people recur across a city's issues for five years, then change;
* meetings get the city's term and a number of their own (届/次);
* posts follow the city (营口市司法局局长 → 大同市司法局局长);
* about one article in twenty is left out (with what points at it), so that
  issues differ in length as real ones do.

The text of the issue (what the source page shows and GazetteSource keeps) is
the sample's text with the same substitutions, line for line, so every
record's line numbers still point at the right line. Each sample is parsed
once per process; the synthetic issues are variations of the parse
(``dataclasses.replace``), because parsing every synthetic text would only
measure the parser again (bench/run.py times it on its own).

Everything is a function of (seed, issue index): the same seed gives the
same corpus, and issue i can be generated without generating 0 … i-1, so a
long run can be resumed or split.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from records.parsing import types as p

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "gazettes"

# Prefecture-level cities (地级市), by province.
_CITY_LINES = """
    石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水
    太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁
    呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布
    沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛
    长春 吉林 四平 辽源 通化 白山 松原 白城
    哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化
    南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁
    杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水
    合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城
    福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德
    南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶
    济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽
    郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店
    武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州
    长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底
    广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮
    南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左
    海口 三亚 三沙 儋州
    成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳
    贵阳 六盘水 遵义 安顺 毕节 铜仁
    昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧
    拉萨 日喀则 昌都 林芝 山南 那曲
    西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛
    兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南
    西宁 海东
    银川 石嘴山 吴忠 固原 中卫
    乌鲁木齐 克拉玛依 吐鲁番 哈密
"""
CITIES = tuple(_CITY_LINES.split())

# Common surnames, most frequent first (the first ones are drawn more often).
SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志新春海林波辉宁文斌鹏飞云峰荣德生龙宇"
    "晓东亮成俊丹凤琳佳欣怡婷雪梅兵斌宏庆祥福瑞学武振江永利光中长胜安泽浩然博健毅清源卫民琪颖慧智远航"
)

CAST_SIZE = 900  # people per city: more than all the samples name together
ISSUES_PER_YEAR = 8
LAST_YEAR = 2024
KEEP_ARTICLE = 0.95  # share of a sample's articles an issue keeps

_SPACE = "[ \t\u3000]{0,2}"  # layout spaces inside a printed name (never a line break)
_CN_DIGITS = "〇一二三四五六七八九"


# --- the samples, parsed once --------------------------------------------------------


@dataclass(frozen=True)
class Template:
    name: str
    text: str
    parsed: p.ParsedGazette
    city: str  # 营口
    names: tuple[str, ...]  # every person the parse names, sorted
    meetings: tuple[p.MeetingRef, ...]  # sorted: standing committee by number, then congress

    @property
    def kind(self) -> str:
        return self.parsed.gazette.kind

    @property
    def year(self) -> int:
        return self.parsed.gazette.year


@cache
def templates() -> tuple[Template, ...]:
    """The four samples, read and parsed (once per process)."""
    from records.parsing import parse_gazette, read_source

    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    result = []
    for name in sorted(manifest):
        meta = manifest[name]
        text = read_source((SAMPLES / name).read_bytes(), name)
        parsed = parse_gazette(text, p.IssueMetadata(**meta) if meta else None)
        region = parsed.gazette.region
        result.append(
            Template(
                name=name,
                text=text,
                parsed=parsed,
                city=region.removesuffix("市"),
                names=tuple(sorted(_names_of(parsed))),
                meetings=tuple(
                    sorted(
                        {m.ref for m in parsed.meetings} | _meeting_refs(parsed),
                        key=lambda r: (r.body != "standing_committee", r.term, r.number),
                    )
                ),
            )
        )
    return tuple(result)


def _names_of(parsed: p.ParsedGazette) -> set[str]:
    names = {d.person for d in parsed.personnel_decisions}
    names |= {e.candidate for e in parsed.elections}
    for meeting in parsed.meetings:
        for person in (*meeting.present, *meeting.on_leave, *meeting.attending):
            names.add(person.name)
        for name_list in meeting.name_lists:
            names.update(person.name for person in name_list.members)
    return {n for n in names if len(n) >= 2}


def _meeting_refs(parsed: p.ParsedGazette) -> set[p.MeetingRef]:
    refs = {d.meeting for d in parsed.documents if d.meeting}
    refs |= {d.meeting for d in parsed.personnel_decisions if d.meeting}
    refs |= {v.meeting for v in parsed.votes if v.meeting}
    refs |= {e.meeting for e in parsed.elections if e.meeting}
    return refs


# --- substitutions: found once per sample string, applied per issue --------------------


def _cn_year(year: int) -> str:
    return "".join(_CN_DIGITS[int(d)] for d in str(year))


def cn_number(n: int) -> str:
    """1 → 一, 14 → 十四, 22 → 二十二, 105 → 一百零五, 161 → 一百六十一."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    head = digits[n // 100] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + digits[rest]
    return head + (("一" + cn_number(rest)) if rest < 20 else cn_number(rest))


class _Matcher:
    """Where a sample's strings name its city, its people and its years.

    The matches of a string are computed once (they are the same for every
    issue made from the sample); ``apply`` splices one issue's values in.
    """

    def __init__(self, template: Template) -> None:
        self.template = template
        city = re.escape(template.city)
        names = sorted(template.names, key=len, reverse=True)
        name_patterns = "|".join(_SPACE.join(re.escape(c) for c in n) for n in names)
        year = template.year
        years = "|".join(str(y) for y in range(year - 6, year + 2))
        cn_years = "|".join(_cn_year(y) for y in range(year - 6, year + 2))
        committee = [r for r in template.meetings if r.body == "standing_committee"]
        terms = "|".join(
            sorted({cn_number(r.term) for r in template.meetings}, key=len, reverse=True)
        )
        numbers = "|".join(sorted({cn_number(r.number) for r in committee}, key=len, reverse=True))
        self.cn_terms = {cn_number(r.term): r.term for r in template.meetings}
        self.cn_numbers = {cn_number(r.number): r for r in committee}
        parts = [
            f"(?P<city>{city})",
            f"(?P<year>(?<![0-9])(?:{years})(?![0-9]))",
            f"(?P<cnyear>{cn_years})",
        ]
        if terms:  # 第十六届 / 十六届 → the issue's term
            parts.append(f"(?P<term>(?<![一二三四五六七八九十])(?:{terms})(?=届))")
        if numbers:  # 第三十四次 → the standing committee meeting's new number
            parts.append(f"(?P<number>(?<=第)(?:{numbers})(?=次))")
        if name_patterns:
            parts.append(f"(?P<name>{name_patterns})")
        self.regex = re.compile("|".join(parts))
        self._cache: dict[str, tuple[tuple[int, int, str, Any], ...]] = {}

    def matches(self, text: str) -> tuple[tuple[int, int, str, Any], ...]:
        found = self._cache.get(text)
        if found is None:
            items = []
            for m in self.regex.finditer(text):
                kind = m.lastgroup
                value: Any
                if kind == "name":
                    value = re.sub(r"[ \t\u3000]", "", m.group(0))
                elif kind == "year":
                    value = int(m.group(0))
                elif kind == "cnyear":
                    value = int("".join(str(_CN_DIGITS.index(c)) for c in m.group(0)))
                elif kind == "term":
                    value = self.cn_terms[m.group(0)]
                elif kind == "number":
                    value = self.cn_numbers[m.group(0)]
                else:
                    value = None
                items.append((m.start(), m.end(), kind, value))
            found = tuple(items)
            if len(self._cache) < 200_000:
                self._cache[text] = found
        return found

    def apply(self, text: str, issue: IssuePlan) -> str:
        found = self.matches(text)
        if not found:
            return text
        pieces = []
        position = 0
        for start, end, kind, value in found:
            pieces.append(text[position:start])
            original = text[start:end]
            if kind == "city":
                pieces.append(issue.city)
            elif kind == "year":
                pieces.append(str(value + issue.year_shift))
            elif kind == "cnyear":
                pieces.append(_cn_year(value + issue.year_shift))
            elif kind == "term":
                pieces.append(cn_number(issue.term))
            elif kind == "number":
                pieces.append(cn_number(issue.meetings[value].number))
            else:
                new = issue.names.get(value, value)
                # Keep the printed width of a spaced two-character name (张 玲 → 韦 明).
                if len(value) == 2 and len(new) == 2 and len(original) > 2:
                    new = new[0] + original[1:-1] + new[1]
                pieces.append(new)
            position = end
        pieces.append(text[position:])
        return "".join(pieces)


@cache
def _matcher(name: str) -> _Matcher:
    return _Matcher(next(t for t in templates() if t.name == name))


# --- publications, casts and the plan of one issue ---------------------------------------


@dataclass(frozen=True)
class PublicationPlan:
    index: int
    city: str  # 大同 (without 市)
    kind: str  # congress | government

    @property
    def region(self) -> str:
        return f"{self.city}市"

    @property
    def issuer(self) -> str:
        if self.kind == "congress":
            return f"{self.region}人民代表大会常务委员会"
        return f"{self.region}人民政府"

    @property
    def title(self) -> str:
        return f"{self.issuer}公报"


def publication_plan(index: int) -> PublicationPlan:
    """Publication ``index``: every city's congress first, then every city's government.

    With fewer publications than cities, one in four is a government gazette.
    """
    cities = len(CITIES)
    if index < cities:
        kind = "government" if index % 4 == 3 else "congress"
        return PublicationPlan(index, CITIES[index], kind)
    rest = index - cities
    city = CITIES[rest % cities]
    first_kind = "government" if rest % 4 == 3 else "congress"
    kind = "congress" if first_kind == "government" else "government"
    return PublicationPlan(index, city, kind)


def default_publications(issues: int) -> int:
    """About eight years of eight issues a year per publication, at most 2 × 293."""
    return max(1, min(2 * len(CITIES), round(issues / 64) or 1))


@cache
def cast(seed: int, city: str) -> tuple[str, ...]:
    """The people of one city: CAST_SIZE distinct names, the same for a seed."""
    rng = random.Random(f"{seed}:cast:{city}")
    weights = [1 / (rank + 8) for rank in range(len(SURNAMES))]
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < CAST_SIZE:
        surname = rng.choices(SURNAMES, weights)[0]
        given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.3 else 2))
        name = surname + given
        if name not in seen:
            seen.add(name)
            names.append(name)
    return tuple(names)


def term_of(year: int) -> tuple[int, int]:
    """The term (届) of a city congress in a year, and the year it began."""
    term = 10 + (year - 1998) // 5
    return term, 1998 + (term - 10) * 5


@dataclass(frozen=True)
class IssuePlan:
    index: int
    seed: int
    publication: PublicationPlan
    year: int
    issue: int
    cumulative_issue: int
    template: str
    year_shift: int
    term: int
    names: dict[str, str]
    meetings: dict[p.MeetingRef, p.MeetingRef]
    keep: frozenset[int]  # indexes of the sample's articles this issue keeps

    @property
    def city(self) -> str:
        return self.publication.city

    @property
    def filename(self) -> str:
        return f"corpus-{self.publication.index:03d}-{self.year}-{self.issue:02d}.txt"

    @property
    def published_on(self) -> dt.date:
        month = min(12, 1 + (self.issue - 1) * 12 // ISSUES_PER_YEAR + 1)
        return dt.date(self.year, month, 10 + self.issue)


def issue_plan(seed: int, index: int, issues: int, publications: int | None = None) -> IssuePlan:
    """Everything that makes issue ``index`` of an ``issues``-issue corpus what it is.

    Issues go round the publications, oldest year first; each publication
    gets consecutive issues (第1期 … 第8期, then the next year).
    """
    publications = publications or default_publications(issues)
    pub = publication_plan(index % publications)
    position = index // publications  # this issue's place in its publication's run
    per_publication = -(-issues // publications)
    years = -(-per_publication // ISSUES_PER_YEAR)
    year = LAST_YEAR - years + 1 + position // ISSUES_PER_YEAR
    number = position % ISSUES_PER_YEAR + 1
    rng = random.Random(f"{seed}:issue:{index}")
    candidates = [t for t in templates() if t.kind == pub.kind] or list(templates())
    template = candidates[rng.randrange(len(candidates))]

    term, term_start = term_of(year)
    people = cast(seed, pub.city)
    # One permutation of the cast per city and term: within an issue no two
    # printed names become one person; across a term the same names recur.
    order = random.Random(f"{seed}:term:{pub.city}:{term}").sample(range(len(people)), len(people))
    names = {
        name: people[order[zlib.crc32(name.encode("utf-8")) % len(people)]]
        for name in template.names
    }
    _resolve_collisions(names, people, order)

    meetings: dict[p.MeetingRef, p.MeetingRef] = {}
    within_term = (year - term_start) * ISSUES_PER_YEAR + (number - 1)
    committee = [r for r in template.meetings if r.body == "standing_committee"]
    for rank, ref in enumerate(committee):
        meetings[ref] = p.MeetingRef("standing_committee", term, within_term * 5 + rank + 1)
    for ref in template.meetings:
        if ref.body != "standing_committee":
            meetings[ref] = p.MeetingRef(ref.body, term, year - term_start + 1)

    documents = [d.index for d in template.parsed.documents]
    keep = frozenset(i for i in documents if i == documents[0] or rng.random() < KEEP_ARTICLE)
    return IssuePlan(
        index=index,
        seed=seed,
        publication=pub,
        year=year,
        issue=number,
        cumulative_issue=100 + position + 1,
        template=template.name,
        year_shift=year - template.year,
        term=term,
        names=names,
        meetings=meetings,
        keep=keep,
    )


def _resolve_collisions(names: dict[str, str], people: tuple[str, ...], order: list[int]) -> None:
    """Give every printed name of the sample a different person of the cast."""
    used: set[str] = set()
    spare = (people[i] for i in reversed(order))
    for name in sorted(names):
        if names[name] in used:
            names[name] = next(n for n in spare if n not in used and n not in names.values())
        used.add(names[name])


# --- making the issue ------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticIssue:
    plan: IssuePlan
    text: str
    parsed: p.ParsedGazette

    @property
    def source_bytes(self) -> bytes:
        return self.text.encode("utf-8")


def _shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _transform(value: Any, string: Callable[[str], str], plan: IssuePlan) -> Any:
    """The same tree with every string, date and meeting replaced for this issue."""
    if isinstance(value, str):
        return string(value)
    if isinstance(value, tuple):
        return tuple(_transform(v, string, plan) for v in value)
    if isinstance(value, dt.date):
        return _shift_date(value, plan.year_shift)
    if isinstance(value, p.MeetingRef):
        return plan.meetings.get(value, value)
    if isinstance(value, p.Span) or value is None or isinstance(value, int | float | bool):
        return value
    if dataclasses.is_dataclass(value):
        changes = {
            f.name: _transform(getattr(value, f.name), string, plan)
            for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def _subset(parsed: p.ParsedGazette, keep: frozenset[int]) -> p.ParsedGazette:
    """The issue without the articles not kept, renumbered, and what pointed at them."""
    if len(keep) == len(parsed.documents):
        return parsed
    new_index = {}
    for doc in parsed.documents:
        if doc.index in keep:
            new_index[doc.index] = len(new_index) + 1
    documents = tuple(
        dataclasses.replace(
            doc,
            index=new_index[doc.index],
            parent=new_index.get(doc.parent) if doc.parent else None,
        )
        for doc in parsed.documents
        if doc.index in keep
    )
    toc = []
    for entry in parsed.toc:
        if entry.document is not None and entry.document not in keep:
            continue
        toc.append(
            dataclasses.replace(
                entry,
                ordinal=len(toc) + 1,
                document=new_index.get(entry.document) if entry.document else None,
            )
        )
    meetings = tuple(
        dataclasses.replace(m, documents=tuple(new_index[i] for i in m.documents if i in keep))
        for m in parsed.meetings
    )
    decisions = tuple(
        dataclasses.replace(d, documents=tuple(new_index[i] for i in d.documents if i in keep))
        for d in parsed.personnel_decisions
    )
    votes = tuple(
        dataclasses.replace(v, document=new_index.get(v.document) if v.document else None)
        for v in parsed.votes
        if v.document is None or v.document in keep
    )
    elections = tuple(
        dataclasses.replace(e, document=new_index[e.document])
        for e in parsed.elections
        if e.document in keep
    )
    return dataclasses.replace(
        parsed,
        documents=documents,
        toc=tuple(toc),
        meetings=meetings,
        personnel_decisions=decisions,
        votes=votes,
        elections=elections,
    )


def make_issue(plan: IssuePlan) -> SyntheticIssue:
    """The text and the parse of one synthetic issue."""
    template = next(t for t in templates() if t.name == plan.template)
    matcher = _matcher(template.name)

    def string(value: str) -> str:
        return matcher.apply(value, plan)

    parsed = _subset(template.parsed, plan.keep)
    parsed = _transform(dataclasses.replace(parsed, gazette=None), string, plan)
    pub = plan.publication
    info = dataclasses.replace(
        template.parsed.gazette,
        issuer=pub.issuer,
        region=pub.region,
        kind=pub.kind,
        year=plan.year,
        issue=plan.issue,
        cumulative_issue=plan.cumulative_issue,
        published_on=plan.published_on,
        name=pub.title if pub.kind == "congress" or template.parsed.gazette.name else "",
    )
    parsed = dataclasses.replace(parsed, gazette=info)
    return SyntheticIssue(plan=plan, text=string(template.text), parsed=parsed)


def iter_issues(
    seed: int, issues: int, *, start: int = 0, publications: int | None = None
) -> Iterator[SyntheticIssue]:
    for index in range(start, issues):
        yield make_issue(issue_plan(seed, index, issues, publications))


def load_issue(issue: SyntheticIssue, *, parsed_json: bool = True) -> Any:
    """Write one synthetic issue through the real load path and publish it."""
    from records.loading import load_gazette
    from records.parsing import gazette_to_json

    return load_gazette(
        issue.parsed,
        source_bytes=issue.source_bytes,
        source_text=issue.text,
        filename=issue.plan.filename,
        parsed_json=gazette_to_json(issue.parsed) if parsed_json else None,
        allow_shrinkage=True,
        publish=True,
    )
