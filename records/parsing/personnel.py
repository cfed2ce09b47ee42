"""Personnel decisions taken at a meeting: appointments, removals, resignations.

Only decisions are read, never the proposals that ask for them: a 议案 or a
``现提请：`` list is evidence (it supplies names that help split glued
``姓名+职务`` strings) but it is not a decision. Decisions are printed in
决定, 通知, 任免名单, 公告 and 纪要; the same decision printed several times is
one ``PersonnelDecision`` listing every document.

Surface forms handled (see gazette-structure.md §4.4):

* inline: ``决定任命X同志为Y``, ``免去X同志的Y职务``, ``接受X辞去Y职务的请求``,
  ``批准任命X为Y``, ``选举A、B为Y``, ``撤销X的Y职务`` …
* a verb header closing a paragraph (``决定任命：``, ``…会议决定免去：``,
  ``批准辞去：``) followed by items ``X为Y；`` or glued ``XY职务；``, several
  items to a line split on ``；``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .meetings import DocView, MeetingsResult, meeting_mentions
from .text import (
    CJK,
    DATE_RE,
    is_person_name,
    make_date,
    mask_titles,
    own_level,
    parse_person,
    split_outside_brackets,
)
from .types import (
    Category,
    GazetteInfo,
    MeetingRef,
    ParseWarning,
    PersonnelAction,
    PersonnelDecision,
    Span,
)

# Documents that can only propose, report or comment on a decision.
_NEVER_DECIDES: frozenset[Category] = frozenset(
    {
        "motion",
        "speech",
        "report",
        "explanation",
        "review_opinion",
        "resignation_letter",
        "regulation",
        "agenda",
    }
)
_PROPOSAL_TITLE_RE = re.compile(r"议案|提请|辞呈|辞职书|建议名单|说明$")

# Verbs, longest first so that 批准任命 is not read as 任命.
_VERBS: dict[str, PersonnelAction] = {
    "批准任命": "approve_appointment",
    "批准免去": "approve_removal",
    "批准免除": "approve_removal",
    "批准撤销": "approve_removal",
    "批准辞去": "approve_resignation",
    "决定任命": "appoint",
    "决定免去": "remove",
    "决定免除": "remove",
    "决定撤销": "dismiss",
    "决定接受": "accept_resignation",
    "接受辞去": "accept_resignation",
    "批准": "approve_resignation",  # only as 批准X辞去Y
    "任命": "appoint",
    "免去": "remove",
    "免除": "remove",
    "免职": "remove",  # a 任免名单 header: 免职：
    "接受": "accept_resignation",
    "撤销": "dismiss",
    "撤职": "dismiss",
    "罢免": "dismiss",
    "聘任": "appoint",  # 决定聘任X为Y (advisers, hired posts)
    "解聘": "remove",
    "补选": "elect",
    "选举": "elect",
    "通过": "elect",  # only as 通过X为Y (committee members elected by a session)
}
_VERB_RE = re.compile("|".join(sorted(_VERBS, key=len, reverse=True)))
# A verb header closing a paragraph: 决定任命： / …第二十二次会议决定免去：
_HEADER_RE = re.compile(rf"(?P<verb>{'|'.join(sorted(_VERBS, key=len, reverse=True))})\s*[：:]$")
# The same header with its first item on the same line: 决定任命：X同志为Y。
_HEADER_MID_RE = re.compile(rf"(?P<verb>{'|'.join(sorted(_VERBS, key=len, reverse=True))})\s*[：:](?=.)")
_PROPOSAL_HEADER_RE = re.compile(r"(?:提请|建议)\s*[：:]$")
# The verb alone as a heading (一、任命 / 免去人员), items below it.
_BARE_HEADER_RE = re.compile(rf"^(?P<verb>{'|'.join(sorted(_VERBS, key=len, reverse=True))})(?:名单|人员)?$")
# 孟志华当选为临河市人民政府副市长 (a clause of an election result)
_ELECTED_AS_RE = re.compile(r"^(?P<names>[^，。；为]{2,60}?)(?:同志)?当选为(?P<post>[^，。；]{2,120})$")
_SENTENCE_END_RE = re.compile(r"[。；;]")
# An item of a proposed list: short, naming a post.
_PROPOSAL_ITEM_RE = re.compile(r"^[^。]{0,80}(?:为|任|职务)[^。]{0,80}[；;。]?$")
# Words that make a sentence a proposal, not a decision.
_PROPOSAL_WORDS_RE = re.compile(r"提请|建议|拟")
# 提请/建议 used as a noun or attributively is the basis of a decision, not a
# proposal: 根据县长孙立新的提请，…决定任命 / 审议了县人民政府提请的议案.
_NOMINAL_PROPOSAL_RE = re.compile(r"(?<=的)(?:提请|建议)|(?:提请|建议)(?=[，,的和及、])")
# "…研究决定：" closing a paragraph: the items below are decided (X任Y；).
_DECIDED_HEADER_RE = re.compile(r"决定\s*[：:]$")
_ITEM_NUMBER_RE = re.compile(r"^(?:\d{1,2}\s*[.．、]|[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十\d]{1,3}[)）])\s*")

# X同志为Y / X为Y / X任Y (items under a header, or after an appointing verb)
_NAMES_AS_RE = re.compile(
    r"^(?:[(（][^)）]{0,20}[)）])?(?P<names>[^，。；为]{2,200}?)(?:同志)?(?:为|任)(?P<post>[^，。；]{2,120})"
)
# X辞去Y职务 (after 接受 / 批准)
_RESIGNS_RE = re.compile(r"^(?P<names>[^，。；辞]{2,80}?)(?:同志)?辞去(?P<post>[^，。；]{2,120}?)(?:职务|$|的)")
# XY职务 (after 免去 / 免除 / 撤销, or as an item under such a header)
_GLUED_RE = re.compile(r"^(?P<body>[^，。；]{3,120}?)(?:的?职务|$)")
# 张海、李红梅的…职务: several names, then 的 and the post they share
_NAMES_OF_RE = re.compile(r"^(?P<names>[^，。；的]{2,60}?)(?:同志)?的(?P<post>.{2,120})$")
# 两名同志 / 等3人 after a run of names
_COUNT_TAIL_RE = re.compile(r"(?:等)?[一二两三四五六七八九十\d]{1,3}(?:名|人|位)(?:同志)?$")
# The body of the deciding organ, when it is a lower-level one (a district's
# standing committee accepting a deputy's resignation is not this issuer's decision).
_DECIDER_RE = re.compile(
    rf"([{CJK}]{{2,16}}?)(?:人民代表大会常务委员会|人大常委会)"
    rf"(?:第[一二三四五六七八九十百\d]{{1,4}}次(?:主任)?会议)?(?:决定|同意|通过)?[，,：:]?$"
)
_TERM_SUFFIX_RE = re.compile(r"第?[一二三四五六七八九十\d]{1,3}届$")

# Where an organisation's name ends inside a post (安阳市人民政府|副市长).
_ORG_SUFFIXES = (
    "人民政府", "委员会", "检察院", "法院", "办公室", "政府", "局", "厅", "部", "院",
    "会", "室", "团", "庭", "馆", "站", "办", "社", "署", "司", "中心",
)  # fmt: skip
_ORG_MARKER_RE = re.compile(r"人民政府|政府|委员会|人大|常委会|检察院|法院|局|厅|办公室|[^副]部")
_TITLE_SUFFIX_RE = re.compile(r"(?:长|主任|委员|员|书记|主席|代表|官)$")


@dataclass(slots=True)
class _Printing:
    person: str
    action: PersonnelAction
    positions: list[str]
    meeting: MeetingRef | None
    stated_date: dt.date | None
    document: int
    span: Span
    gender: str | None = None
    document_date: dt.date | None = None  # the printing document's own date


@dataclass(slots=True)
class _Context:
    region: str
    known_names: set[str]
    warnings: list[ParseWarning] = field(default_factory=list)


# --- posts -----------------------------------------------------------------------

_TERM_PREFIX_RE = re.compile(r"^(?P<term>第?[一二三四五六七八九十]{1,3}届)")


def expand_post(post: str, region: str) -> str:
    """Write an abbreviated post in full where the text's own convention allows.

    ``市人大法制委员会主任委员`` → ``安阳市人民代表大会法制委员会主任委员``,
    ``市政府副市长`` → ``安阳市人民政府副市长``: the bare ``市`` is the region,
    ``人大`` its 人民代表大会, ``政府`` its 人民政府. The standing committee's
    short name ``人大常委会`` is kept as printed (安阳市人大常委会法制工作委员会主任).
    """
    if not region or len(region) < 2 or post == region[-1] + "长":
        return post  # 市长 is a title, not 市 + 长
    if post.startswith(region):
        rest = post[len(region) :]
    elif post.startswith(region[-1]):  # 市 / 县 / 区
        rest = post[1:]
    else:
        return post
    term = ""
    match = _TERM_PREFIX_RE.match(rest)
    if match:
        term = match["term"] if match["term"].startswith("第") else "第" + match["term"]
        rest = rest[match.end() :]
    if rest.startswith("人大") and not rest.startswith("人大常委会"):
        rest = "人民代表大会" + rest[2:]
    elif rest.startswith("政府"):
        rest = "人民政府" + rest[2:]
    return region + term + rest


def _org_prefix(post: str) -> str:
    """The organisation part of a post: 安阳市人民政府副市长 → 安阳市人民政府."""
    for end in range(len(post) - 1, 1, -1):
        head = post[:end]
        if any(head.endswith(suffix) for suffix in _ORG_SUFFIXES):
            return head
    return ""


_JUDICIAL_ORGAN_RE = re.compile(r"^(?P<organ>.+?(?:人民法院|人民检察院|法院|检察院))")
# A note after a post: 检察长（报省人民检察院检察长提请…批准）, 局长（试用期一年）.
_POST_NOTE_RE = re.compile(r"[(（][^()（）]{1,60}[)）]$")


def split_posts(text: str, region: str) -> list[str]:
    """Read ``副市长、代理市长`` style lists of posts sharing one organisation.

    A court's or procuratorate's own committee and its judges belong to the
    court: ``…中级人民法院副院长、审判委员会委员、审判员`` are three posts
    of 中级人民法院, not of its 审判委员会.
    """
    text = text.strip().removeprefix("的").removeprefix("同志")
    text = re.sub(r"(?:的?职务)?(?:的(?:请求|申请|辞职请求))?$", "", text)
    note = _POST_NOTE_RE.search(text)
    if note and _TITLE_SUFFIX_RE.search(text[: note.start()]):
        text = text[: note.start()]
    parts = [p.strip() for p in split_outside_brackets(text, "、") if p.strip()]
    posts: list[str] = []
    for part in parts:
        bare_title = part == region[-1:] + "长" or not part.startswith(region[-1:] or "\0")
        court = _JUDICIAL_ORGAN_RE.match(posts[-1]) if posts else None
        if court and bare_title and not _JUDICIAL_ORGAN_RE.match(part) and not _REGION_START_RE.match(part):
            posts.append(court["organ"] + part)
        elif posts and not _ORG_MARKER_RE.search(part) and bare_title:
            prefix = _org_prefix(posts[-1])
            posts.append(prefix + part if prefix else part)
        else:
            posts.append(expand_post(part, region))
    return [p for p in posts if len(p) >= 2]


# A post that names its own place: 东江区人民检察院…, 内黄县…
_REGION_START_RE = re.compile(rf"^[{CJK}]{{1,8}}?(?:省|市|州|县|区|旗|盟)(?:人民|人大|委员会|[{CJK}]{{0,12}}(?:局|院|委|办))")


def _fold_post(post: str) -> str:
    return (
        post.replace("人大常委会", "人民代表大会常务委员会")
        .replace("人大", "人民代表大会")
        .replace("市政府", "市人民政府")
        .replace(" ", "")
    )


# --- names -----------------------------------------------------------------------


def _clean_name(raw: str) -> tuple[str, str | None] | None:
    """(name, gender) of one printed name, or None when it is not a name."""
    raw = raw.strip().removesuffix("同志")
    person = parse_person(raw)
    if person is None or not is_person_name(person.name):
        return None
    return person.name, person.gender


def _names(run: str) -> list[tuple[str, str | None]] | None:
    """The names of ``A、B两名同志``; None unless every part is a name."""
    run = _COUNT_TAIL_RE.sub("", run.strip())
    run = re.sub(r"^[(（][^)）]{0,20}[)）]", "", run)  # (按姓名笔画为序)
    parts = [p for p in re.split(r"[、，,]", run) if p.strip()]
    names = [_clean_name(p) for p in parts]
    if not names or not all(names):
        return None
    return [n for n in names if n]


def _names_a_place(text: str, region: str) -> bool:
    """True when text opens with the region or another place's name."""
    if region and (text.startswith(region) or (len(region) > 2 and text.startswith(region[:-1]))):
        return True
    return (bool(region) and text.startswith(region[-1])) or bool(_REGION_START_RE.match(text))


def _glued_people(body: str, ctx: _Context) -> tuple[list[tuple[str, str | None]], str] | None:
    """The persons and the post of ``XY`` / ``A、B的Y`` after 免去 and the like."""
    several = _NAMES_OF_RE.match(body)
    if several and "、" in several["names"]:
        names = _names(several["names"])
        if names:
            return names, several["post"]
    split = split_glued(body, ctx)
    cleaned = _clean_name(split[0]) if split else None
    if split is None or cleaned is None:
        return None
    return [cleaned], split[1]


def split_glued(body: str, ctx: _Context) -> tuple[str, str] | None:
    """Split ``田海涛安阳市人民政府副市长`` into the name and the post.

    Names are 2-4 characters and carry no separator: the split is where
    ``同志``/``的`` stands, after a name already known from the issue, before
    the region (安阳市…), or before a place name ending in 县/区/市.
    """
    body = body.strip()
    if body.startswith("其") and _names_a_place(body[1:], ctx.region):
        return None  # 免去其…职务: the pronoun, not a name (see _inline)
    for marker in ("同志", "的"):
        at = body.find(marker, 2, 7)
        if at >= 2 and is_person_name(body[:at]):
            return body[:at], body[at + len(marker) :].removeprefix("的")
    for name in sorted(ctx.known_names, key=len, reverse=True):
        if body.startswith(name) and len(body) > len(name) + 1:
            return name, body[len(name) :]
    region = ctx.region
    for prefix in (region, region[:-1] if len(region) > 2 else ""):
        if prefix:
            at = body.find(prefix, 2, 6)
            if 2 <= at <= 4 and is_person_name(body[:at]):
                return body[:at], body[at:]
    # A place name of two characters and its suffix: 焦琰|内黄县…
    place = re.search(r"[县区市旗]", body[4:7])
    if place:
        at = 4 + place.start() - 2
        if 2 <= at <= 4 and is_person_name(body[:at]):
            return body[:at], body[at:]
    if body[:1] == (region[-1:] or "\0"):
        return None
    at = body.find(region[-1:] or "\0", 2, 5)
    if at >= 2 and is_person_name(body[:at]):
        return body[:at], body[at:]
    return None


_KNOWN_AFTER_VERB_RE = re.compile(rf"(?:^|[，。；：、]|任命|免去|免除|接受|批准|选举|提请)(?P<n>[{CJK}]{{2,4}}?)同志")
# 杨兆江为安阳市殷都区人民检察院检察长 — one item of a list (matched per clause)
_KNOWN_ITEM_RE = re.compile(
    rf"(?P<n>[{CJK}]{{2,4}}?)(?:同志)?[为任][^，。；]{{4,60}}?(?:长|主任|委员|员|书记|主席)$"
)


def collect_names(views: Iterable[DocView]) -> set[str]:
    """Names printed unambiguously anywhere (X同志, X为…长): used to split glued forms."""
    names: set[str] = set()
    for view in views:
        for paragraph in view.body:
            if "同志" not in paragraph.text and len(paragraph.text) > 200:
                continue  # long prose without 同志: no list items here
            text = mask_titles(paragraph.text)
            found = [m["n"] for m in _KNOWN_AFTER_VERB_RE.finditer(text)] if "同志" in text else []
            if "为" in text or "任" in text:
                for clause in _SENTENCE_END_RE.split(text):
                    match = _KNOWN_ITEM_RE.match(clause) if len(clause) < 80 else None
                    if match:
                        found.append(match["n"])
            names.update(name for name in found if is_person_name(name))
    return names


# --- reading one document ----------------------------------------------------------


def _may_decide(view: DocView) -> bool:
    return view.category not in _NEVER_DECIDES and not _PROPOSAL_TITLE_RE.search(view.title)


def _foreign_decider(before: str, region: str) -> bool:
    """Whether the organ deciding (named right before the verb) is another body.

    ``东江区人民代表大会常务委员会第十二次会议决定，接受…``: a district's
    standing committee decided, whatever region the district belongs to.
    """
    match = _DECIDER_RE.search(before)
    if not match:
        return False
    organ = _TERM_SUFFIX_RE.sub("", match[1])
    if not organ:
        return False
    if region and (organ.endswith(region) or organ == region[:-1] or own_level(organ, region)):
        return False
    return organ[-1:] in "县区旗乡镇省" or (organ[-1:] == "市" and len(organ) > 1 and organ != region)


_Found = list[tuple[str, str | None, list[str], PersonnelAction]]


def _parse_after_verb(verb: str, rest: str, ctx: _Context) -> tuple[_Found, int]:
    """(name, gender, posts, action) read from the words after one verb.

    Also return how many characters of ``rest`` the statement took, so that
    the caller looks for the next verb after it.
    """
    action = _VERBS[verb]
    found: _Found = []
    skipped = len(rest) - len(rest.removeprefix("了"))
    rest = rest[skipped:]
    if action in ("accept_resignation", "approve_resignation") and verb != "批准辞去":
        match = _RESIGNS_RE.match(rest)
        if not match:
            return [], 0
        names = _names(match["names"])
        posts = split_posts(match["post"], ctx.region)
        return [(n, g, posts, action) for n, g in names or [] if posts], skipped + match.end()
    if action in ("appoint", "approve_appointment", "elect"):
        match = _NAMES_AS_RE.match(rest)
        if not match:
            return [], 0
        names = _names(match["names"])
        posts = split_posts(match["post"], ctx.region)
        if not names or not posts or not _plausible_post(posts[0]):
            return [], 0
        found.extend((n, g, posts, action) for n, g in names)
        consumed = match.end()
        # 通过A为X，B为Y: the same verb governs the following clauses.
        for clause in rest[consumed:].split("，")[1:]:
            more = None if _VERB_RE.match(clause) else _NAMES_AS_RE.match(clause)
            if not more or more.end() != len(clause):
                break
            names = _names(more["names"])
            posts = split_posts(more["post"], ctx.region)
            if not names or not posts or not _plausible_post(posts[0]):
                break
            found.extend((n, g, posts, action) for n, g in names)
            consumed += len(clause) + 1
        return found, skipped + consumed
    # 免去A的X职务，B的Y职务: one verb, several clauses.
    consumed = 0
    for clause in rest.split("，"):
        match = None if found and _VERB_RE.match(clause) else _GLUED_RE.match(clause)
        if not match or "职务" not in clause[: match.end() + 2]:
            break
        people = _glued_people(match["body"], ctx)
        posts = split_posts(people[1], ctx.region) if people else []
        if people is None or not posts:
            break
        found.extend((name, gender, posts, action) for name, gender in people[0])
        consumed += len(clause) + 1
    return found, skipped + consumed


def proposal_at(text: str) -> int | None:
    """Where a proposal word governs the text (现提请, 建议任命), or None.

    The noun (根据…的提请，) and the attribute (…提请的议案) do not propose.
    """
    for match in _PROPOSAL_WORDS_RE.finditer(text):
        if not _NOMINAL_PROPOSAL_RE.match(text, match.start()) and not (
            match.start() > 0 and text[match.start() - 1] == "的"
        ):
            return match.start()
    return None


def _plausible_post(post: str) -> bool:
    return bool(_TITLE_SUFFIX_RE.search(post)) or bool(_ORG_MARKER_RE.search(post))


def _parse_item(
    action: PersonnelAction, item: str, ctx: _Context, line: int | None = None, *, glued: bool = True
) -> list[tuple[str, str | None, list[str], PersonnelAction]]:
    """An item under a verb header: ``X为Y`` or glued ``XY职务``.

    ``glued``: also read an appointment printed as name and post without 为
    (a two-column list under 任命：); not under a header that names no verb.
    """
    item = _ITEM_NUMBER_RE.sub("", item.strip(), count=1).strip()
    if not item or _VERB_RE.match(item):
        return []  # 任命X为Y under a header: read as a statement of its own
    if "\t" in item:
        # A table row: name⇥post (⇥…), the layout keeps them apart.
        cells = [c.strip() for c in item.split("\t") if c.strip()]
        cleaned = _clean_name(cells[0]) if len(cells) >= 2 else None
        posts = split_posts(cells[1], ctx.region) if cleaned else []
        if cleaned and posts and _plausible_post(posts[0]):
            return [(cleaned[0], cleaned[1], posts, action)]
        return []
    if action in ("appoint", "approve_appointment", "elect"):
        match = _NAMES_AS_RE.match(item)
        if match and match.end() == len(item):
            names = _names(match["names"])
            posts = split_posts(match["post"], ctx.region)
            if names and posts and _plausible_post(posts[0]):
                return [(n, g, posts, action) for n, g in names]
        if glued and (match is None or match.end() != len(item)):
            # 王涛临河市住房和城乡建设局局长: a name⇥post row whose layout spaces are gone.
            split = split_glued(item, ctx)
            cleaned = _clean_name(split[0]) if split else None
            posts = split_posts(split[1], ctx.region) if split else []
            if cleaned and posts and _TITLE_SUFFIX_RE.search(posts[-1]):
                return [(cleaned[0], cleaned[1], posts, action)]
        return []
    if "辞去" in item:
        match = _RESIGNS_RE.match(item)
        if match:
            names = _names(match["names"])
            posts = split_posts(match["post"], ctx.region)
            return [(n, g, posts, action) for n, g in names or [] if posts]
    match = _GLUED_RE.match(item)
    if not match or match.end() != len(item) or not item.endswith("职务"):
        return []
    people = _glued_people(match["body"], ctx)
    if people is None:
        ctx.warnings.append(ParseWarning(line, "personnel_name_unsplit", f"无法分开姓名与职务：{item}"))
        return []
    posts = split_posts(people[1], ctx.region)
    if not posts:
        return []
    return [(name, gender, posts, action) for name, gender in people[0]]


def _parse_compound(
    action: PersonnelAction, item: str, ctx: _Context, line: int | None, *, glued: bool
) -> list[tuple[str, str | None, list[str], PersonnelAction]]:
    """An item, or an item followed by a second statement about the same person.

    ``李红梅任…审计局副局长，免去其…统计局副局长职务``: the second clause has
    its own verb, and 其 is the person of the first.
    """
    found = _parse_item(action, item, ctx, line, glued=glued)
    if found or "，" not in item:
        return found
    head, _, tail = item.partition("，")
    first = _parse_item(action, head, ctx, line, glued=glued)
    verb = _VERB_RE.match(tail)
    if not first or verb is None:
        return []
    after = tail[verb.end() :]
    if after.startswith("其"):
        after = first[-1][0] + after[1:]
    more, consumed = _parse_after_verb(verb[0], after, ctx)
    return first + more if more and consumed >= len(after) - 1 else []


@dataclass(frozen=True, slots=True)
class _Landmarks:
    """Meeting names and dates of one paragraph, read once (long lines stay linear)."""

    meetings: tuple[tuple[int, MeetingRef], ...]
    dates: tuple[tuple[int, dt.date], ...]

    @classmethod
    def of(cls, text: str, region: str) -> _Landmarks:
        meetings = tuple((m.start, m.ref) for m in meeting_mentions(text, region))
        dates = []
        for match in DATE_RE.finditer(text):
            date = make_date(int(match[1]), int(match[2]), int(match[3]))
            if date:
                dates.append((match.start(), date))
        return cls(meetings, tuple(dates))

    def meeting_before(self, position: int) -> MeetingRef | None:
        at = bisect.bisect_left(self.meetings, position, key=lambda m: m[0])
        return self.meetings[at - 1][1] if at else None

    def date_before(self, position: int) -> dt.date | None:
        at = bisect.bisect_left(self.dates, position, key=lambda d: d[0])
        return self.dates[at - 1][1] if at else None


def _read_document(view: DocView, meetings: MeetingsResult, ctx: _Context) -> list[_Printing]:
    printings: list[_Printing] = []
    doc_meeting = meetings.document_meetings.get(view.index)
    header: PersonnelAction | None = None
    header_meeting: MeetingRef | None = None
    header_date: dt.date | None = None
    loose = False  # the header is a bare 决定： (no verb): only X为Y / X任Y items
    proposal = False

    def add(
        found: list[tuple[str, str | None, list[str], PersonnelAction]],
        meeting: MeetingRef | None,
        date: dt.date | None,
        first: int,
        last: int,
    ) -> None:
        for name, gender, posts, action in found:
            printings.append(
                _Printing(
                    name, action, posts, meeting or doc_meeting, date, view.index, Span(first, last), gender,
                    view.source.document.date,
                )
            )

    for paragraph in view.body:
        text = _ITEM_NUMBER_RE.sub("", paragraph.text, count=1)
        masked = mask_titles(text)
        head = _HEADER_RE.search(masked) or _BARE_HEADER_RE.match(masked)
        if _PROPOSAL_HEADER_RE.search(masked):
            proposal, header = True, None
            continue
        if proposal:
            # The list under 现提请： runs on (sub-headers, items) until other text.
            if head or _PROPOSAL_ITEM_RE.search(masked):
                continue
            proposal = False
        if header is None and not head and _DECIDED_HEADER_RE.search(masked) and proposal_at(masked) is None:
            # "经县人民政府研究，决定：" then "孙浩然任县财政局副局长；" items.
            marks = _Landmarks.of(text, ctx.region)
            header, loose = "appoint", True
            header_meeting = marks.meeting_before(len(masked)) or header_meeting
            header_date = marks.date_before(len(masked)) or header_date
            continue
        if header is None and not _VERB_RE.search(masked):
            continue  # most paragraphs: nothing to read, skip the costly steps
        marks = _Landmarks.of(text, ctx.region)
        mid = None if head else _HEADER_MID_RE.search(masked)
        if mid and proposal_at(masked[: mid.start()]) is None and mid["verb"] != "批准":
            action = _VERBS[mid["verb"]]
            items = [c for c in re.split(r"[；;。]", masked[mid.end() :]) if c.strip()]
            parsed = [_parse_item(action, item, ctx, paragraph.first_line) for item in items]
            if items and all(parsed):
                header, loose = action, False
                header_meeting = marks.meeting_before(mid.start()) or header_meeting
                header_date = marks.date_before(mid.start()) or header_date
                for found, meeting, date in _inline(masked[: mid.start()], marks, ctx):
                    add(found, meeting, date, paragraph.first_line, paragraph.last_line)
                for found in parsed:
                    add(found, header_meeting, header_date, paragraph.first_line, paragraph.last_line)
                continue
        if header is not None and not head:
            items = [c for c in re.split(r"[；;。]", masked) if c.strip()]
            parsed = [_parse_compound(header, item, ctx, paragraph.first_line, glued=not loose) for item in items]
            if items and all(parsed):
                for found in parsed:
                    add(found, header_meeting, header_date, paragraph.first_line, paragraph.last_line)
                continue
            header = None
        body_end = head.start() if head else len(masked)
        for found, meeting, date in _inline(masked[:body_end], marks, ctx):
            add(found, meeting, date, paragraph.first_line, paragraph.last_line)
        if head:
            if proposal_at(masked[: head.start()]) is not None:
                proposal, header = True, None
                continue
            header, loose = _VERBS[head["verb"]], False
            if head["verb"] == "批准":
                header = None  # 批准： alone does not say what is approved
            header_meeting = marks.meeting_before(head.start()) or header_meeting
            header_date = marks.date_before(head.start()) or header_date
    return printings


def _inline(
    masked: str, marks: _Landmarks, ctx: _Context
) -> list[tuple[_Found, MeetingRef | None, dt.date | None]]:
    """Decisions stated in running text: …会议决定，任命X为Y。"""
    results = []
    offset = 0
    for sentence in _SENTENCE_END_RE.split(masked):
        start = offset
        offset += len(sentence) + 1
        if "当选" in sentence:
            for found in _elected(sentence, ctx):
                position = start + sentence.find("当选")
                results.append((found, marks.meeting_before(position), marks.date_before(position)))
        if not _VERB_RE.search(sentence):
            continue
        proposed = proposal_at(sentence)
        resume = 0
        last_person = ""  # the person "其" refers back to (任命X为…，免去其…职务)
        for verb in _VERB_RE.finditer(sentence):
            if verb.start() < resume:
                continue  # inside the statement just read (a post can contain 选举)
            if proposed is not None and proposed < verb.start():
                break  # 提请/建议 before the verb: the rest of the sentence proposes
            before = sentence[max(0, verb.start() - 40) : verb.start()]
            if before.endswith("关于"):
                continue
            if _foreign_decider(before, ctx.region):
                continue  # a district's or county's body decided it
            rest = sentence[verb.end() : verb.end() + 400]
            shift = 0
            if rest.startswith("其") and last_person:
                rest, shift = last_person + rest[1:], len(last_person) - 1
            found, consumed = _parse_after_verb(verb[0], rest, ctx)
            if found:
                position = start + verb.start()
                results.append((found, marks.meeting_before(position), marks.date_before(position)))
                resume = verb.end() + consumed - shift
                last_person = found[-1][0]
    return results


def _elected(sentence: str, ctx: _Context) -> list[_Found]:
    """Election results printed as ``X当选为Y``, one per clause."""
    found: list[_Found] = []
    for clause in split_outside_brackets(sentence, "，,"):
        match = _ELECTED_AS_RE.match(clause.strip())
        if not match:
            continue
        names = _names(match["names"])
        posts = split_posts(match["post"], ctx.region)
        if names and posts and _plausible_post(posts[0]):
            found.append([(n, g, posts, "elect") for n, g in names])
    return found


# --- merging the printings -----------------------------------------------------------


def extract_personnel(
    views: Sequence[DocView], info: GazetteInfo, meetings: MeetingsResult
) -> tuple[tuple[PersonnelDecision, ...], tuple[ParseWarning, ...]]:
    """Every personnel decision of the issue, merged over its printings."""
    ctx = _Context(info.region, collect_names(views))
    printings: list[_Printing] = []
    for view in views:
        if _may_decide(view):
            printings.extend(_read_document(view, meetings, ctx))

    merged: dict[tuple[str, PersonnelAction, MeetingRef | None], list[_Printing]] = {}
    for printing in printings:
        merged.setdefault((printing.person, printing.action, printing.meeting), []).append(printing)

    decisions = []
    for (person, action, meeting), group in merged.items():
        date = _decision_date(group, meeting, meetings, ctx)
        best = max(group, key=lambda p: len(p.positions))
        positions: list[str] = []
        seen: set[str] = set()
        for printing in (best, *group):
            for post in printing.positions:
                if _fold_post(post) not in seen:
                    seen.add(_fold_post(post))
                    positions.append(post)
        decisions.append(
            PersonnelDecision(
                person=person,
                action=action,
                positions=tuple(positions),
                meeting=meeting,
                date=date,
                gender=next((p.gender for p in group if p.gender), None),
                documents=tuple(sorted({p.document for p in group})),
                span=group[0].span,
            )
        )
    return tuple(decisions), tuple(ctx.warnings)


def _decision_date(
    group: list[_Printing], meeting: MeetingRef | None, meetings: MeetingsResult, ctx: _Context
) -> dt.date | None:
    """The meeting's date; a printed date inside a multi-day session refines it.

    A printed date outside the days the meeting sat (a notice dated the day
    after) is reported and not used.
    """
    meeting_date = meetings.meeting_dates.get(meeting) if meeting else None
    span = meetings.date_spans.get(meeting) if meeting else None
    stated = [p for p in group if p.stated_date]
    if meeting_date is None:
        # No meeting (a government's own appointments): the date printed with
        # the decision, else the date of the document that prints it.
        return stated[0].stated_date if stated else group[0].document_date
    for printing in stated:
        date = printing.stated_date
        assert date is not None
        if span and span[0] <= date <= span[1]:
            if date != meeting_date:
                return date
            continue
        ctx.warnings.append(
            ParseWarning(
                printing.span.first_line,
                "personnel_date_conflict",
                f"{printing.person}的任免决定印为{date.isoformat()}，会议于{meeting_date.isoformat()}举行",
            )
        )
    return meeting_date


