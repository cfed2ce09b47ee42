"""Plain factory functions for parse results and database records."""

from __future__ import annotations

import datetime as dt

from records.parsing import types as p

REGION = "示例市"
ISSUER = "示例市人民代表大会常务委员会"
MEETING = p.MeetingRef("standing_committee", 16, 34)


def make_document(index: int, title: str, *, category: p.Category = "report", **extra) -> p.Document:
    return p.Document(
        index=index,
        title=title,
        category=category,
        page=index,
        date=dt.date(2021, 6, 10),
        text=f"{title}的正文。",
        span=p.Span(index * 10, index * 10 + 9),
        **extra,
    )


def make_parsed(
    *,
    year: int = 2021,
    issue: int = 3,
    documents: tuple[p.Document, ...] | None = None,
    decisions: tuple[p.PersonnelDecision, ...] | None = None,
    present: tuple[str, ...] = ("李强", "徐启", "张渤"),
    issuer: str = ISSUER,
    region: str = REGION,
) -> p.ParsedGazette:
    if documents is None:
        documents = (
            make_document(1, "示例市第十六届人民代表大会常务委员会第三十四次会议纪要", category="minutes", meeting=MEETING),
            make_document(
                2,
                "示例市促进民营经济发展条例",
                category="regulation",
                provisions=(
                    p.Provision("article", 1, "第一条", "", "为了促进发展，制定本条例。"),
                    p.Provision("article", 2, "第二条", "", "本条例自公布之日起施行。"),
                ),
                citations=(p.Citation("doc_number", "营人发〔2019〕45号", repeals=True, line=25),),
            ),
            make_document(3, "示例市人民代表大会常务委员会任免名单", category="name_list", meeting=MEETING),
        )
    if decisions is None:
        decisions = (
            p.PersonnelDecision(
                person="郑孝刚",
                action="appoint",
                positions=("示例市人民政府副市长",),
                meeting=MEETING,
                date=dt.date(2021, 6, 10),
                documents=(3,),
            ),
        )
    meeting = p.Meeting(
        ref=MEETING,
        date=dt.date(2021, 6, 10),
        agenda=("听取和审议市政府关于义务教育工作情况的报告", "人事任免事项"),
        present=tuple(p.PersonName(name) for name in present),
        on_leave=(p.PersonName("胡传新"),),
        declared_present=len(present),
        documents=(1,),
    )
    return p.ParsedGazette(
        gazette=p.GazetteInfo(
            issuer=issuer, region=region, kind="congress", year=year, issue=issue, cumulative_issue=31
        ),
        toc=tuple(
            p.TocEntry(ordinal=d.index, title=d.title, page=d.page, document=d.index) for d in documents
        ),
        documents=documents,
        meetings=(meeting,),
        personnel_decisions=decisions,
        votes=(
            p.Vote(
                subject="关于全市产业扶贫工作情况的报告",
                subject_type="report",
                satisfied=30,
                basically_satisfied=8,
                unsatisfied=0,
                voting=38,
                base=40,
                meeting=MEETING,
                document=1,
            ),
        ),
        warnings=(p.ParseWarning(12, "percentage_mismatch", "百分比与票数不符"),),
    )
