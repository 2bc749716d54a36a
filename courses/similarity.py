"""Courses that look like the same course, so partners extend one instead of writing two.

Two courses are compared when they share a thematic area. Their text (the title counted
twice, the summary and the learning objectives) is turned into TF-IDF vectors over the
courses compared, and the cosine of the two vectors is the similarity score (0 to 1).
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from courses.models import CoursePage

WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
STOP_WORDS = frozenset(
    {
        "about", "after", "also", "among", "and", "are", "based", "before", "being", "between",
        "both", "can", "course", "courses", "day", "days", "during", "each", "for", "from", "has",
        "have", "how", "into", "its", "learn", "learners", "module", "more", "not", "officer",
        "officers", "other", "participants", "per", "session", "sessions", "such", "that", "the",
        "their", "them", "then", "these", "they", "this", "those", "through", "training", "use",
        "using", "what", "when", "where", "which", "who", "will", "with", "within", "you", "your",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Similar:
    course: CoursePage
    score: float  # 0..1

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _terms(text: str) -> Counter:
    terms = Counter()
    for word in WORD.findall(text.lower()):
        if word in STOP_WORDS:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]  # plurals: "victims" and "victim" are one term
        terms[word] += 1
    return terms


def _document(*, title: str, summary: str, objectives: str) -> Counter:
    return _terms(f"{title} {title} {summary} {objectives}")


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def similar_courses(
    *,
    title: str,
    summary: str = "",
    objectives: str = "",
    theme_ids: list[int],
    exclude_pk: int | None = None,
    limit: int = 5,
    threshold: float | None = None,
) -> list[Similar]:
    """Existing courses (published or draft) in the same thematic areas whose text is close,
    most similar first, with a score of at least `threshold` (setting
    COURSE_SIMILARITY_THRESHOLD)."""
    if threshold is None:
        threshold = settings.COURSE_SIMILARITY_THRESHOLD
    if not theme_ids:
        return []
    candidates = list(
        CoursePage.objects.filter(themes__in=theme_ids)
        .exclude(pk=exclude_pk)
        .distinct()
        .only("pk", "title", "code", "summary", "learning_objectives", "url_path", "live")
    )
    if not candidates:
        return []
    documents = [
        _document(title=c.title, summary=c.summary, objectives=c.learning_objectives)
        for c in candidates
    ]
    query = _document(title=title, summary=summary, objectives=objectives)
    count = len(documents) + 1
    frequency = Counter(term for doc in [*documents, query] for term in doc)
    idf = {term: math.log((1 + count) / (1 + n)) + 1 for term, n in frequency.items()}

    def weigh(doc: Counter) -> dict[str, float]:
        return {term: n * idf[term] for term, n in doc.items()}

    query_vector = weigh(query)
    scored = [
        Similar(course=course, score=round(_cosine(query_vector, weigh(doc)), 3))
        for course, doc in zip(candidates, documents, strict=True)
    ]
    scored = [s for s in scored if s.score >= threshold]
    return sorted(scored, key=lambda s: s.score, reverse=True)[:limit]


def similar_to_course(*, course: CoursePage, limit: int = 5) -> list[Similar]:
    return similar_courses(
        title=course.title,
        summary=course.summary,
        objectives=course.learning_objectives,
        theme_ids=[theme.pk for theme in course.themes.all()],
        exclude_pk=course.pk,
        limit=limit,
    )
