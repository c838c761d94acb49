"""The 16 MBTI types' traits, written for Booth: what the matching searches for in the
company library and what the offline letter writer says about the visitor.

Each trait has one search word per language; the company library's keywords use the same
words (the demo's do, and the admin help says so), because full-text search matches words,
not meanings. The type descriptions are light-hearted, for a fair booth: MBTI is a game
here, not an assessment.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Trait:
    key: str
    words: dict[str, str]  # language → the search word, also the label shown

    def word(self, language: str) -> str:
        return self.words.get(language, self.words["en"])


def _t(key: str, en: str, ko: str) -> Trait:
    return Trait(key, {"en": en, "ko": ko})


TRAITS = {
    trait.key: trait
    for trait in (
        _t("leadership", "leadership", "리더십"),
        _t("teamwork", "teamwork", "협업"),
        _t("analysis", "analysis", "분석"),
        _t("creativity", "creativity", "창의"),
        _t("empathy", "empathy", "공감"),
        _t("planning", "planning", "계획"),
        _t("communication", "communication", "소통"),
        _t("curiosity", "curiosity", "호기심"),
        _t("responsibility", "responsibility", "책임감"),
        _t("adaptability", "adaptability", "적응력"),
        _t("precision", "precision", "꼼꼼함"),
        _t("vision", "vision", "비전"),
        _t("passion", "passion", "열정"),
        _t("initiative", "initiative", "주도성"),
        _t("care", "care", "배려"),
        _t("logic", "logic", "논리"),
        _t("persuasion", "persuasion", "설득"),
        _t("execution", "execution", "실행력"),
        _t("mentoring", "mentoring", "멘토링"),
        _t("challenge", "challenge", "도전"),
    )
}


@dataclass(frozen=True)
class TypeProfile:
    code: str
    traits: tuple[str, ...]  # keys of TRAITS, strongest first
    description: dict[str, str]  # language → a phrase: "a … who …"


def _p(code: str, traits: str, en: str, ko: str) -> TypeProfile:
    return TypeProfile(code, tuple(traits.split()), {"en": en, "ko": ko})


TYPES = {
    profile.code: profile
    for profile in (
        _p(
            "ISTJ",
            "responsibility precision planning logic execution",
            "a dependable organiser who finishes what they start",
            "맡은 일은 끝까지 해내는 믿음직한 정리의 달인",
        ),
        _p(
            "ISFJ",
            "care responsibility precision teamwork empathy",
            "a quiet helper who notices what others need",
            "다른 사람에게 필요한 것을 먼저 알아차리는 조용한 조력자",
        ),
        _p(
            "INFJ",
            "vision empathy mentoring planning creativity",
            "a thoughtful idealist who sees where people could grow",
            "사람들이 성장할 방향을 먼저 보는 사려 깊은 이상주의자",
        ),
        _p(
            "INTJ",
            "vision analysis planning logic initiative",
            "a strategist who turns long plans into results",
            "긴 계획을 결과로 바꾸는 전략가",
        ),
        _p(
            "ISTP",
            "logic adaptability execution analysis precision",
            "a calm problem-solver who takes things apart to understand them",
            "뜯어보며 원리를 깨치는 침착한 문제 해결사",
        ),
        _p(
            "ISFP",
            "creativity care adaptability empathy precision",
            "a gentle maker with an eye for beauty",
            "아름다움을 알아보는 눈을 가진 다정한 창작자",
        ),
        _p(
            "INFP",
            "creativity empathy curiosity vision care",
            "an imaginative idealist guided by their values",
            "자신의 가치를 나침반 삼는 상상력 풍부한 이상주의자",
        ),
        _p(
            "INTP",
            "analysis logic curiosity creativity initiative",
            "a curious thinker who loves a hard question",
            "어려운 질문을 사랑하는 호기심 많은 사색가",
        ),
        _p(
            "ESTP",
            "execution adaptability challenge persuasion passion",
            "an energetic doer who thrives when things move fast",
            "일이 빠르게 돌아갈수록 빛나는 활기찬 행동파",
        ),
        _p(
            "ESFP",
            "passion communication teamwork adaptability care",
            "a warm performer who lifts the mood of any team",
            "어느 팀에서든 분위기를 살리는 따뜻한 분위기 메이커",
        ),
        _p(
            "ENFP",
            "creativity passion communication curiosity challenge",
            "an enthusiastic explorer full of new ideas",
            "새로운 아이디어가 넘치는 열정적인 탐험가",
        ),
        _p(
            "ENTP",
            "challenge creativity persuasion analysis curiosity",
            "an inventive debater who questions every assumption",
            "모든 당연함에 질문을 던지는 재기 넘치는 토론가",
        ),
        _p(
            "ESTJ",
            "execution leadership responsibility planning logic",
            "a decisive organiser who gets teams to the finish line",
            "팀을 결승선까지 이끄는 결단력 있는 조직가",
        ),
        _p(
            "ESFJ",
            "care teamwork communication responsibility empathy",
            "a caring host who keeps everyone together",
            "모두를 하나로 묶는 세심한 살림꾼",
        ),
        _p(
            "ENFJ",
            "leadership empathy mentoring communication vision",
            "a warm leader who brings out the best in people",
            "사람들의 가장 좋은 모습을 끌어내는 따뜻한 리더",
        ),
        _p(
            "ENTJ",
            "leadership vision execution challenge analysis",
            "a bold commander who sets ambitious goals and reaches them",
            "큰 목표를 세우고 끝내 이루어 내는 대담한 지휘관",
        ),
    )
}

# For a visitor who skips the MBTI question: what every employer likes to hear.
UNTYPED = TypeProfile(
    "",
    ("curiosity", "teamwork", "responsibility", "adaptability", "passion"),
    {
        "en": "a curious newcomer who is ready to learn",
        "ko": "배울 준비가 된 호기심 많은 신입",
    },
)

MBTI_CODES = tuple(sorted(TYPES))


def profile_of(code: str) -> TypeProfile:
    """The type's profile; the untyped one for "" (skipped) or anything unknown."""
    return TYPES.get(code.upper(), UNTYPED) if code else UNTYPED


def trait_words(code: str, language: str) -> list[str]:
    """The type's search words in `language`, strongest first."""
    return [TRAITS[key].word(language) for key in profile_of(code).traits]
