"""The parser on gazette layouts that the four real samples do not print.

``tests/fixtures/unseen/*.txt`` are SYNTHETIC issues (invented cities, people
and documents), each written to reproduce a family of layout variants that
real 人大常委会公报 and 政府公报 use: other cover and TOC shapes, an issue
without a TOC, hard-wrapped text with running heads, inline and tabular
attendance, other personnel phrasings, county and district bodies. Each has
a hand-written ``.expected.json`` (gazette/1, with notes) that the parse must
match at the scorer's bars (core 0.95, soft 0.85), like tests/test_golden.py.

The other tests pin each general rule added for these layouts on a minimal
text, so that a rule can be checked (and reviewed) on its own. Plain pytest
functions, no Django.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from records.parsing import GazetteParseError, gazette_to_json, parse_gazette
from records.parsing.extract import extract_records
from records.parsing.frontmatter import read_front_matter
from records.parsing.lines import DocumentSource, split_lines
from records.parsing.meetings import meeting_mentions, name_row, read_lists, view_document
from records.parsing.personnel import proposal_at, split_posts
from records.parsing.text import is_running_head, join_paragraphs, own_level
from records.parsing.toc import parse_toc
from records.parsing.types import Category, Document, GazetteInfo

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = Path(__file__).resolve().parent / "fixtures" / "unseen"
EXPECTED = sorted(UNSEEN.glob("*.expected.json"))
SC = "standing_committee"


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_gazette", ROOT / "tools" / "score_gazette.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parse_file(path: Path) -> dict[str, Any]:
    return gazette_to_json(parse_gazette(path.read_text(encoding="utf-8")))


def _score(expected: Path, actual: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    out = tmp_path / "actual.json"
    out.write_text(json.dumps(actual, ensure_ascii=False), encoding="utf-8")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = _scorer().main(["score", str(expected), str(out)])
    return status, buffer.getvalue()


# --- the synthetic issues at the scorer's bars --------------------------------------------


def test_the_corpus_covers_several_variant_families() -> None:
    assert len(EXPECTED) >= 6
    for path in EXPECTED:
        text = path.with_name(path.name.replace(".expected.json", ".txt"))
        assert text.exists()
        assert 50 <= len(text.read_text(encoding="utf-8").splitlines()) <= 250
        assert json.loads(path.read_text(encoding="utf-8"))["notes"][0].startswith("SYNTHETIC")


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_unseen_issue_reaches_every_bar(expected: Path, tmp_path: Path) -> None:
    actual = _parse_file(expected.with_name(expected.name.replace(".expected.json", ".txt")))
    status, report = _score(expected, actual, tmp_path)
    assert status == 0, report


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_unseen_issue_details_the_scorer_does_not_measure(expected: Path) -> None:
    actual = _parse_file(expected.with_name(expected.name.replace(".expected.json", ".txt")))
    codes = {w["code"] for w in actual["warnings"]}
    assert not codes & {"toc_entry_without_article", "article_not_in_toc", "extractor_failed"}
    assert not actual["truncated"]
    truth = json.loads(expected.read_text(encoding="utf-8"))
    assert actual["gazette"]["published_on"] == truth["gazette"]["published_on"]
    assert [d["doc_number"] for d in actual["documents"]] == [d["doc_number"] for d in truth["documents"]]

    def decisions(data: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
        return sorted((d["person"], d["action"], json.dumps(d["meeting"]), d["date"]) for d in data["personnel_decisions"])

    assert decisions(actual) == decisions(truth)


def test_hard_wrapped_issue_survives_a_double_spaced_conversion(tmp_path: Path) -> None:
    # The same issue with a blank line after every line: hard wraps are found by width.
    source = UNSEEN / "dongshan-county-congress-2023-02.txt"
    doubled = "\n\n".join(source.read_text(encoding="utf-8").splitlines())
    actual = gazette_to_json(parse_gazette(doubled))
    status, report = _score(source.with_name(source.stem + ".expected.json"), actual, tmp_path)
    assert status == 0, report


def test_damaged_unseen_issues_raise_nothing_but_parse_errors() -> None:
    rng = random.Random(20240612)
    for path in sorted(UNSEEN.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for _ in range(15):
            damaged = list(lines)
            for _ in range(rng.randint(1, 6)):
                at = rng.randrange(len(damaged))
                choice = rng.random()
                if choice < 0.4:
                    del damaged[at]
                elif choice < 0.7:
                    damaged.insert(rng.randrange(len(damaged)), damaged[at])
                else:
                    damaged[at] = damaged[at][: rng.randrange(len(damaged[at]) + 1)]
            try:
                parse_gazette("\n".join(damaged))
            except GazetteParseError as exc:
                assert exc.__cause__ is None, f"{path.name}: {exc}"


# --- front matter and running heads ---------------------------------------------------------


def _front(text: str) -> tuple[int | None, int | None, int | None, str | None]:
    lines = split_lines(text)
    front = read_front_matter(lines, len(lines))
    published = front.published_on.isoformat() if front.published_on else None
    return front.year, front.issue, front.cumulative_issue, published


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("某市人大常委会公报\n2022年第4期（总第120期）\n2022年8月30日出版", (2022, 4, 120, "2022-08-30")),
        ("某县人大常委会公报\n2023年第二期\n（总第五十八期）", (2023, 2, 58, None)),
        ("某市人大常委会公报\n第六期\n\n二〇二二年", (2022, 6, None, None)),  # issue above the year
        ("某市人民政府公报\n2024年第3期\n二〇二四年三月二十五日出版", (2024, 3, None, "2024-03-25")),
        ("某市人大常委会公报\n2022年第1期　总第86期", (2022, 1, 86, None)),
    ],
)
def test_cover_variants(text: str, expected: tuple[int | None, int | None, int | None, str | None]) -> None:
    assert _front(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("东山县人大常委会公报　　　　2023年第二期", True),
        ("2022年第4期　　　　临河市人民代表大会常务委员会公报", True),  # issue first
        ("·12·　临河市人大常委会公报", True),  # page number beside the name
        ("临河市人大常委会公报　　　— 12 —", True),
        ("— 3 —", True),
        ("第4号", False),  # an announcement's number, not a page header
        ("临河市国民经济和社会发展统计公报", False),  # a 统计公报 is a title
        ("临河市人大常委会公报 第一章", False),
    ],
)
def test_running_heads(line: str, expected: bool) -> None:
    assert is_running_head(line) is expected


# --- table of contents --------------------------------------------------------------------------


def _toc(text: str) -> list[tuple[str, int | None, str, str | None]]:
    return [(e.title, e.page, e.section, e.doc_number) for e in parse_toc(split_lines(text)).entries]


def test_toc_pages_printed_first_with_indented_continuation_and_trailing_author() -> None:
    text = (
        "目　　录\n\n"
        "1　东山县第十八届人民代表大会常务委员会第七次会议议程\n"
        "2　东山县人民代表大会常务委员会关于召开东山县第十八届人民代表\n"
        "　　大会第三次会议的决定\n"
        "12　在县十八届人大常委会第七次会议闭会时的讲话　郑光明\n\n"
        "东山县第十八届人民代表大会常务委员会第七次会议议程\n\n1.听取和审议报告；"
    )
    assert _toc(text) == [
        ("东山县第十八届人民代表大会常务委员会第七次会议议程", 1, "", None),
        ("东山县人民代表大会常务委员会关于召开东山县第十八届人民代表大会第三次会议的决定", 2, "", None),
        ("在县十八届人大常委会第七次会议闭会时的讲话", 12, "", None),
    ]


def test_toc_sections_authors_and_a_page_alone_on_the_next_line() -> None:
    text = (
        "目　录\n\n"
        "一、常委会会议文件\n\n"
        "西山区第三届人民代表大会常务委员会第十二次会议纪要……………………1\n"
        "【人事任免】\n"
        "北原市第九届人民代表大会第一次会议关于北原市人民政府工作报告的决议\n"
        "……………………………………………………………………12\n"
        "区人大常委会主任在第十二次会议上的讲话…………………………赵立群　13\n"
        "关于2022年上半年财政预算执行情况的报告……………市财政局局长　黄秀云（14）\n"
        "关于2021年市级财政决算的报告……（第15页）\n"
    )
    assert _toc(text) == [
        ("西山区第三届人民代表大会常务委员会第十二次会议纪要", 1, "常委会会议文件", None),
        ("北原市第九届人民代表大会第一次会议关于北原市人民政府工作报告的决议", 12, "人事任免", None),
        ("区人大常委会主任在第十二次会议上的讲话", 13, "人事任免", None),
        ("关于2022年上半年财政预算执行情况的报告", 14, "人事任免", None),
        ("关于2021年市级财政决算的报告", 15, "人事任免", None),
    ]


def test_toc_with_glued_square_bracket_doc_numbers() -> None:
    text = (
        "目　　录\n\n一、县政府文件\n\n"
        "白河县人民政府关于废止和修改部分规范性文件的决定白政发[2023]5号………………(1)\n"
        "白河县人民政府办公室关于印发白河县城乡居民医疗保险工作考核办法的通知\n"
        "白政办发[2023]11号……………………………………………………(9)\n"
    )
    assert _toc(text) == [
        ("白河县人民政府关于废止和修改部分规范性文件的决定", 1, "县政府文件", "白政发〔2023〕5号"),
        ("白河县人民政府办公室关于印发白河县城乡居民医疗保险工作考核办法的通知", 9, "县政府文件", "白政办发〔2023〕11号"),
    ]


PAGELESS = (
    "清河市人民政府公报\n2022年第6期\n\n目录\n\n★ 市政府文件\n\n"
    "清河市人民政府关于印发清河市推进数字经济发展三年行动方案的通知\n（清政发〔2022〕12号）\n\n"
    "★ 人事任免\n\n清河市人民政府关于杜建平等同志职务任免的通知\n（清政任〔2022〕4号）\n\n"
    "清政发〔2022〕12号\n\n清河市人民政府关于印发清河市推进数字经济发展三年行动方案的通知\n\n"
    "各县（市、区）人民政府：\n\n现将方案印发给你们。"
)


def test_toc_without_pages_ends_where_the_body_repeats_its_first_title() -> None:
    toc = parse_toc(split_lines(PAGELESS))
    assert [(e.title, e.page, e.section, e.doc_number) for e in toc.entries] == [
        ("清河市人民政府关于印发清河市推进数字经济发展三年行动方案的通知", None, "市政府文件", "清政发〔2022〕12号"),
        ("清河市人民政府关于杜建平等同志职务任免的通知", None, "人事任免", "清政任〔2022〕4号"),
    ]
    assert split_lines(PAGELESS)[toc.end].text == ""  # the body's 文号 line comes after
    assert split_lines(PAGELESS)[toc.end + 1].text == "清政发〔2022〕12号"


def test_toc_without_pages_needs_the_repetition() -> None:
    # A 目录 heading followed by titles that never come back is not read as a TOC.
    text = PAGELESS.replace("清政发〔2022〕12号\n\n清河市人民政府关于印发", "清政发〔2022〕12号\n\n某某关于印发")
    assert parse_toc(split_lines(text)).entries == ()


# --- article boundaries -------------------------------------------------------------------------


def _titles(text: str) -> list[tuple[str, str, str | None, str | None]]:
    result = parse_gazette(text)
    return [(d.title, d.category, d.doc_number, d.date.isoformat() if d.date else None) for d in result.documents]


def test_adoption_line_on_the_title_line_is_an_anchor_not_title() -> None:
    text = (
        "西山区人大常委会公报\n2022年第3期\n\n目　录\n\n西山区人民代表大会常务委员会任免名单……………12\n\n"
        "西山区人民代表大会常务委员会任免名单（2022年9月27日西山区第三届人民代表大会常务委员会第十二次会议通过）\n\n"
        "任命：\n钱志刚为西山区财政局局长\n"
    )
    result = parse_gazette(text)
    assert [(d.title, d.date.isoformat() if d.date else None) for d in result.documents] == [
        ("西山区人民代表大会常务委员会任免名单", "2022-09-27")
    ]
    assert result.documents[0].meeting is not None and result.documents[0].meeting.number == 12
    assert [(p.person, p.action) for p in result.personnel_decisions] == [("钱志刚", "appoint")]


def test_issue_without_toc_finds_unanchored_titles_but_not_the_compiler_line() -> None:
    text = (
        "南坪市人大常委会公报\n\n2023年　第1期\n\n南坪市人民代表大会常务委员会办公室\n\n"
        "南坪市人民代表大会常务委员会公告\n\n〔十六届〕第3号\n\n《南坪市城市绿化条例》现予公布。\n\n"
        "南坪市人民代表大会常务委员会\n\n2023年1月18日\n\n"
        "南坪市第十六届人民代表大会常务委员会第五次会议纪要\n\n"
        "2022年12月28日，南坪市第十六届人民代表大会常务委员会第五次会议在市行政中心举行。\n\n"
        "南坪市人民代表大会常务委员会公告\n\n第4号\n\n截至目前，南坪市第十六届人民代表大会实有代表386名。\n\n"
        "南坪市人民代表大会常务委员会\n\n2022年12月28日\n"
    )
    assert _titles(text) == [
        ("南坪市人民代表大会常务委员会公告", "announcement", "〔十六届〕第3号", "2023-01-18"),
        ("南坪市第十六届人民代表大会常务委员会第五次会议纪要", "minutes", None, "2022-12-28"),
        ("南坪市人民代表大会常务委员会公告", "announcement", "第4号", "2022-12-28"),
    ]


def test_issue_without_toc_keeps_an_attachment_in_its_notice() -> None:
    text = (
        "某县人民政府公报\n2023年第1期\n\n"
        "某政发〔2023〕1号\n\n某县人民政府关于印发某县农田建设实施方案的通知\n\n各乡镇人民政府：\n\n"
        "现将《某县农田建设实施方案》印发给你们。\n\n某县人民政府\n\n2023年4月6日\n\n"
        "某县农田建设实施方案\n\n为提升耕地质量，制定本方案。\n\n"
        "某政办发〔2023〕2号\n\n某县人民政府办公室关于做好防汛工作的通知\n\n各乡镇人民政府：\n\n请认真落实。\n"
    )
    assert _titles(text) == [
        ("某县人民政府关于印发某县农田建设实施方案的通知", "notice", "某政发〔2023〕1号", "2023-04-06"),
        ("某县人民政府办公室关于做好防汛工作的通知", "notice", "某政办发〔2023〕2号", None),
    ]


# --- paragraphs ----------------------------------------------------------------------------------


def test_hard_wrapped_lines_join_by_column_width() -> None:
    wrapped = [
        "根据《中华人民共和国地方各级人民代表大会和地方各",
        "级人民政府组织法》的有关规定和县人民政府县长的提",
        "请，东山县第十八届人民代表大会常务委员会第七次会",
        "议决定任命：",
        "吴海涛为东山县发展和改革局局长；",
    ]
    paragraphs = join_paragraphs(list(enumerate(wrapped, start=1)))
    assert [p.text for p in paragraphs] == ["".join(wrapped[:4]), wrapped[4]]


def test_indented_layout_joins_short_lines_and_splits_at_indents() -> None:
    raw = ["　　任命蒋丽华为东山县人民检察院副检察长、检察委员会", "委员、检察员；", "　　免去龚长林的职务。"]
    lines = split_lines("\n".join(raw))
    indents = frozenset({1, 3, 10, 11})  # a layout that indents its paragraphs
    paragraphs = join_paragraphs([(line.number, line.text) for line in lines], indents)
    assert [p.text for p in paragraphs] == [
        "任命蒋丽华为东山县人民检察院副检察长、检察委员会委员、检察员；",
        "免去龚长林的职务。",
    ]


def test_a_few_headings_of_one_length_are_no_column_width() -> None:
    # Three unpunctuated headings of the same length among long paragraphs: not a hard wrap.
    items = []
    for n in range(4):
        items += [(n * 4 + 1, "（一）紧盯关键环节深化义务教育领域改革"), (n * 4 + 3, "长段落" * 40 + "。")]
    paragraphs = join_paragraphs(items)
    assert len(paragraphs) == 8


# --- meetings and attendance ------------------------------------------------------------------


def test_own_level_bodies_of_a_county_are_its_own() -> None:
    assert own_level("县", "柳溪县") and own_level("召开了县", "柳溪县") and own_level("，县", "柳溪县")
    assert not own_level("东江区", "柳溪县") and not own_level("河口县", "柳溪县")
    mentions = meeting_mentions("2021年10月26日，县十八届人大常委会第6次会议在县人大常委会会议室召开。", "柳溪县")
    assert [(m.ref.body, m.ref.term, m.ref.number) for m in mentions] == [(SC, 18, 6)]
    assert meeting_mentions("东江区三届人大常委会第12次会议", "柳溪县") == []


def _view(body: str, title: str, category: Category) -> Any:
    lines = split_lines(f"{title}\n\n{body}")
    return view_document(DocumentSource(Document(1, title, category), tuple(lines), 2))


def test_attendance_tables_with_ordinals_headings_and_page_footers() -> None:
    body = (
        "一、出席人员（3人）\n序号\t姓名\t职务\n1\t赵立群\t区人大常委会主任\n2\t钱文静\t区人大常委会副主任\n\n"
        "— 2 —\n\n序号\t姓名\t职务\n3\t蒋国华\t区人大常委会副主任\n\n"
        "二、请假人员（1人）\n序号\t姓名\t职务\n1\t黄晓东\t区人大常委会委员\n\n三、列席人员\n1\t孙卫平\t区人民政府副区长\n"
    )
    blocks = read_lists(_view(body, "第十二次会议出席、请假和列席人员名单", "name_list"), default_kind="attending")
    assert [(b.kind, b.declared, [m.name for m in b.members]) for b in blocks] == [
        ("present", 3, ["赵立群", "钱文静", "蒋国华"]),
        ("on_leave", 1, ["黄晓东"]),
        ("attending", None, ["孙卫平"]),
    ]
    assert blocks[0].members[0].title == "区人大常委会主任"


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("杜春生、李慧敏、杨志坚", ["杜春生", "李慧敏", "杨志坚"]),
        ("韩德昌　包文华　齐　林", ["韩德昌", "包文华", "齐林"]),
        ("1\t赵立群\t区人大常委会主任", ["赵立群"]),
    ],
)
def test_name_rows(line: str, names: list[str]) -> None:
    people = name_row(line, 1)
    assert people is not None and [p.name for p in people] == names


def test_presidium_header_with_a_comma_inside_its_note() -> None:
    body = "主席团成员（共3名，按姓氏笔画排列）：\n\n丁卫东　王丽华　韦少鹏\n\n秘书长：韦少鹏\n"
    blocks = read_lists(_view(body, "主席团和秘书长名单", "name_list"), default_kind="presidium")
    assert [(b.kind, b.declared, len(b.members)) for b in blocks] == [("presidium", 3, 3), ("secretary_general", None, 1)]


# --- personnel ----------------------------------------------------------------------------------

LINHE = GazetteInfo("临河市人民代表大会常务委员会", "临河市", "congress", 2022, 4, None)
LINHE_GOV = GazetteInfo("临河市人民政府", "临河市", "government", 2022, 4, None)


def _decisions(body: str, *, title: str = "临河市人民代表大会常务委员会任免名单", category: Category = "name_list",
               info: GazetteInfo = LINHE) -> list[tuple[str, str, tuple[str, ...]]]:
    lines = split_lines(f"{title}\n\n{body}")
    source = DocumentSource(Document(1, title, category), tuple(lines), 2)
    return [(p.person, p.action, p.positions) for p in extract_records([source], info).personnel_decisions]


def test_judges_and_procurators_belong_to_their_court() -> None:
    assert split_posts("临河市中级人民法院副院长、审判委员会委员、审判员", "临河市") == [
        "临河市中级人民法院副院长", "临河市中级人民法院审判委员会委员", "临河市中级人民法院审判员",
    ]
    assert split_posts("东山县人民检察院检察委员会委员、检察员", "东山县") == [
        "东山县人民检察院检察委员会委员", "东山县人民检察院检察员",
    ]
    # Posts of another organisation keep their own name.
    assert split_posts("临河市人民检察院检察员、东江区人民检察院检察长", "临河市") == [
        "临河市人民检察院检察员", "东江区人民检察院检察长",
    ]


def test_a_note_after_the_post_is_not_part_of_it() -> None:
    assert split_posts("北原市人民检察院检察长（报江北省人民检察院检察长提请批准）", "北原市") == ["北原市人民检察院检察长"]
    assert split_posts("临江市教育局局长（试用期一年）", "临江市") == ["临江市教育局局长"]


def test_the_proposal_behind_a_decision_does_not_make_it_a_proposal() -> None:
    assert proposal_at("根据县长孙立新的提请，东山县第十八届人大常委会第七次会议决定任命：") is None
    assert proposal_at("会议审议了县人民政府提请的人事任免议案，决定任命") is None
    assert proposal_at("根据有关规定，现提请任命：") is not None
    body = "根据市长的提请，临河市第十五届人民代表大会常务委员会第十次会议决定任命：\n\n张晓峰为临河市生态环境局局长。"
    assert _decisions(body) == [("张晓峰", "appoint", ("临河市生态环境局局长",))]


def test_government_appointments_under_a_bare_decided_header() -> None:
    body = (
        "经县人民政府研究，决定：\n\n孙浩然任县财政局副局长；\n\n"
        "郑雅琪任县医疗保障局副局长，免去其县统计局副局长职务；\n\n免去陶建国的县财政局副局长职务。"
    )
    info = GazetteInfo("白河县人民政府", "白河县", "government", 2023, 5, None)
    assert _decisions(body, title="白河县人民政府关于孙浩然等同志任免职的通知", category="notice", info=info) == [
        ("孙浩然", "appoint", ("白河县财政局副局长",)),
        ("郑雅琪", "appoint", ("白河县医疗保障局副局长",)),
        ("郑雅琪", "remove", ("白河县统计局副局长",)),
        ("陶建国", "remove", ("白河县财政局副局长",)),
    ]


def test_government_decisions_without_a_meeting_take_the_notice_date() -> None:
    text = (
        "临江市人民政府公报\n2024年第3期\n\n临政人〔2024〕5号\n\n临江市人民政府关于任免丁卫红等同志职务的通知\n\n"
        "各县（市、区）人民政府：\n\n经市人民政府研究决定：\n\n任命丁卫红同志为临江市教育局局长；\n\n"
        "临江市人民政府\n\n2024年3月8日\n"
    )
    decisions = parse_gazette(text).personnel_decisions
    assert [(d.person, d.meeting, d.date.isoformat() if d.date else None) for d in decisions] == [
        ("丁卫红", None, "2024-03-08")
    ]


def test_pronoun_several_names_and_hired_posts() -> None:
    body = (
        "任命宁海波为临河市交通运输局局长，免去其临河市交通运输局副局长职务；\n\n"
        "免去张海、李红梅的临河市财政局副局长职务。\n\n决定聘任周一凡为临河市人民政府法律顾问。"
    )
    assert _decisions(body) == [
        ("宁海波", "appoint", ("临河市交通运输局局长",)),
        ("宁海波", "remove", ("临河市交通运输局副局长",)),
        ("张海", "remove", ("临河市财政局副局长",)),
        ("李红梅", "remove", ("临河市财政局副局长",)),
        ("周一凡", "appoint", ("临河市人民政府法律顾问",)),
    ]


def test_two_column_list_under_bare_verb_headings() -> None:
    body = "一、任命\n王　涛　　临河市住房和城乡建设局局长\n杜晓梅　　临河市审计局局长\n二、免去\n胡　军　　临河市住房和城乡建设局局长职务\n"
    assert _decisions(body) == [
        ("王涛", "appoint", ("临河市住房和城乡建设局局长",)),
        ("杜晓梅", "appoint", ("临河市审计局局长",)),
        ("胡军", "remove", ("临河市住房和城乡建设局局长",)),
    ]


def test_election_results_printed_as_dangxuan() -> None:
    body = "经投票选举，孟志华当选为临河市人民政府副市长，罗晓琳当选为临河市第十五届人民代表大会常务委员会委员。"
    assert _decisions(body, title="选举结果公告", category="announcement") == [
        ("孟志华", "elect", ("临河市人民政府副市长",)),
        ("罗晓琳", "elect", ("临河市第十五届人民代表大会常务委员会委员",)),
    ]


def test_lower_level_body_named_with_its_meeting_decides_nothing_here() -> None:
    body = "南坪市东江区人民代表大会常务委员会第十二次会议决定，接受王秋生辞去南坪市第十六届人民代表大会代表职务的请求。"
    info = GazetteInfo("南坪市人民代表大会常务委员会", "南坪市", "congress", 2023, 1, None)
    assert _decisions(body, title="南坪市人民代表大会常务委员会公告", category="announcement", info=info) == []
    # The county's own standing committee, printed bare, does decide.
    own = "县十八届人大常委会第6次会议决定：撤销周永福的柳溪县林业局局长职务。"
    info = GazetteInfo("柳溪县人民代表大会常务委员会", "柳溪县", "congress", 2021, 5, None)
    assert _decisions(own, title="关于撤销周永福职务的决定", category="decision", info=info) == [
        ("周永福", "dismiss", ("柳溪县林业局局长",))
    ]


def test_toc_keeps_one_page_position() -> None:
    # After a TOC that prints pages last, a body row "1　张三　主任" is no entry.
    text = (
        "某市人大常委会公报\n2022年第1期\n目　录\n"
        "某市人民代表大会常务委员会任免名单……………1\n某市人民代表大会常务委员会关于某事的决定……………2\n\n"
        "某市人民代表大会常务委员会任免名单\n\n1　赵立群　某市财政局局长\n"
    )
    assert [e.title for e in parse_toc(split_lines(text)).entries] == [
        "某市人民代表大会常务委员会任免名单",
        "某市人民代表大会常务委员会关于某事的决定",
    ]
    # A title followed by a document word after a space keeps it.
    assert _toc("目录\n\n某市物业管理条例 修正案……………3\n")[0][0] == "某市物业管理条例修正案"


def test_announcement_number_inside_the_title_line() -> None:
    text = (
        "临河市人大常委会公报\n2022年第4期\n\n目　录\n\n临河市人民代表大会常务委员会公告（第12号）……1\n\n"
        "临河市人民代表大会常务委员会公告（第12号）\n\n《临河市物业管理条例》现予公布。\n\n"
        "临河市人民代表大会常务委员会\n\n2022年6月30日\n"
    )
    assert _titles(text) == [("临河市人民代表大会常务委员会公告（第12号）", "announcement", "第12号", "2022-06-30")]
