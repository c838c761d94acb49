"""The offline letter writer: a real cover letter from the company's profile and the
visitor's MBTI traits, in English or Korean, with no network.

It follows the reference booth's structure (four sections, each 700–1,000 characters in
Korean, from the role of a 27-year-old graduate) and streams its text in small chunks with
short pauses, like a model would, so walls and tablets show it being written and the
streaming path is the one the demo exercises.
"""

import hashlib
import re
import string
import time
from collections.abc import Iterator

from django.conf import settings

from experiences.resume.episodes import EPISODES
from experiences.resume.letters import LetterRequest
from experiences.resume.sections import marker_line
from experiences.resume.traits import TRAITS, profile_of

# Korean particles that depend on whether the word before ends in a consonant:
# "{company:을}" is the company followed by 을 or 를.
JOSA = {
    "은": ("은", "는"),
    "이": ("이", "가"),
    "을": ("을", "를"),
    "과": ("과", "와"),
    "으로": ("으로", "로"),
    "이라": ("이라", "라"),
}


def ends_in_consonant(word: str) -> bool:
    """Whether a Korean particle after `word` takes its consonant form (받침). Words not
    ending in Hangul are read as ending in a consonant unless they end in a vowel letter."""
    if not word:
        return False
    last = word.rstrip()[-1]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    return last.lower() not in "aeiouy"


class _Formatter(string.Formatter):
    def format_field(self, value, format_spec: str) -> str:
        if format_spec in JOSA:
            consonant, vowel = JOSA[format_spec]
            if format_spec == "으로" and str(value) and str(value)[-1] >= "가":
                # ㄹ 받침 takes 로, like a vowel
                last = str(value)[-1]
                if "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 == 8:
                    return f"{value}{vowel}"
            return f"{value}{consonant if ends_in_consonant(str(value)) else vowel}"
        return super().format_field(value, format_spec)


FORMAT = _Formatter()

TITLES = {
    "ko": ["성장 과정", "지원 동기", "성격의 장단점", "입사 후 포부"],
    "en": ["Who I am", "Why {company}", "My strengths, and one weakness", "My first years"],
}

SECTIONS = {
    "ko": [
        # 1. 성장 과정
        "저는 올해 스물일곱 살, 대학을 졸업하고 사회에 첫발을 내딛는 {name}입니다. "
        "부모님께서는 늘 무엇이든 끝까지 해 보라고 말씀하셨고, 그 말은 지금도 제 생활의 "
        "작은 원칙으로 남아 있습니다. "
        "어릴 때부터 저는 {desc}라는 말을 자주 들었습니다. 가족과 친구들이 저를 그렇게 "
        "부를 때마다 처음에는 쑥스러웠지만, 돌이켜 보면 그 말 속에 제가 걸어온 길이 고스란히 "
        "담겨 있었습니다. 저를 가장 잘 설명하는 단어를 고르라면 {t1}, {t2}, 그리고 "
        "{t3:이라}고 답하겠습니다. {ep1} "
        "이 경험은 저에게 단순한 추억이 아니라 일하는 방식의 기준이 되었습니다. 무엇을 "
        "하든 왜 하는지를 먼저 묻고, 함께하는 사람들의 이야기를 끝까지 들으며, 결과에 "
        "책임지는 태도를 그때 배웠습니다. 대학 시절에는 전공 공부와 함께 동아리, 아르바이트, "
        "봉사 활동을 병행하며 시간을 쪼개 쓰는 법을 익혔고, 서로 다른 배경을 가진 사람들과 "
        "부딪히고 화해하며 한 팀이 되는 과정을 여러 번 겪었습니다. 넘어진 날도 많았지만, "
        "그때마다 무엇이 부족했는지 적어 두고 다음에는 한 걸음 더 나아가려 애썼습니다. "
        "그렇게 쌓인 작은 기록들이 지금의 저를 만들었습니다. 스물일곱의 저는 완성된 "
        "사람이 아니라, 매일 조금씩 자라는 사람이라는 사실이 가장 자랑스럽습니다. "
        "이제 그 성장의 다음 장을 {company}에서 쓰고 싶습니다.",
        # 2. 지원 동기
        "{company:을} 처음 알게 된 것은 취업 준비를 시작하며 여러 회사의 인재상을 "
        "읽어 보던 때였습니다. 대부분의 인재상이 비슷한 단어를 나열하는 가운데, "
        "{company}의 글은 달랐습니다. \u201c{hire}\u201d라는 문장을 읽는 순간, 이 회사가 "
        "찾는 사람이 바로 제가 되고 싶은 사람이라는 확신이 들었습니다. 특히 "
        "{kw:이라}는 말이 오래 마음에 남았습니다. 제가 가장 자신 있는 {t1:과} {t2:은} "
        "바로 {company}에서 일하는 사람들에게 요구되는 역량이기도 합니다. 저는 "
        "회사가 저를 키워 주기만을 기다리는 신입이 아니라, 제가 가진 강점으로 팀에 "
        "보탬이 되면서 함께 성장하는 동료가 되고 싶습니다. 그래서 지원을 결심한 뒤 "
        "{company}의 최근 소식과 서비스, 구성원들의 인터뷰를 찾아 읽으며 이 회사가 "
        "어떤 문제를 풀고 있는지, 그 과정에서 어떤 사람들이 어떤 방식으로 일하는지를 "
        "차근차근 공부했습니다. 읽을수록 제가 지금까지 해 온 경험들이 이곳의 일과 맞닿아 있다는 "
        "것을 느꼈습니다. 저의 {t3} 역시 {company}의 문화 속에서 가장 잘 쓰일 수 있다고 "
        "믿습니다. 좋은 회사는 많지만, 제가 가진 것을 가장 의미 있게 쓸 수 있는 곳은 "
        "많지 않습니다. 저에게 그곳이 바로 {company}입니다. 면접의 기회가 주어진다면 "
        "제가 겪은 일들을 더 자세히 들려 드리고, {company}에 대해서도 더 많이 배우고 "
        "싶습니다. 이 글이 그 첫 대화의 시작이 되기를 바랍니다.",
        # 3. 성격의 장단점
        "저의 가장 큰 장점은 {t1:과} {t2:이}라고 생각합니다. {mbti_sentence} "
        "{ep2} 돌이켜 보면 그 경험에서 가장 크게 남은 것은 결과보다 과정이었습니다. "
        "이 일을 통해 저는 강점이란 타고나는 것이 아니라 반복해서 쓰면서 단단해지는 "
        "근육과 같다는 것을 배웠습니다. 그래서 저는 제 강점을 쓸 수 있는 기회가 오면 "
        "망설이지 않고 손을 들고, 결과가 좋지 않을 때에도 무엇을 배웠는지 정리해 두는 "
        "습관을 들였습니다. 함께 일한 동료들은 저를 두고 \u201c같이 일하면 마음이 놓이는 "
        "사람\u201d이라고 말해 주었고, 저는 그 말을 가장 큰 칭찬으로 여깁니다. 물론 "
        "단점도 있습니다. 저는 한 가지 일에 몰두하면 주변을 살피는 일을 잊곤 합니다. "
        "완벽하게 끝내고 싶은 마음에 혼자 오래 붙잡고 있다가, 더 빨리 도움을 청했다면 "
        "쉽게 풀렸을 문제를 늦게 푼 적도 있습니다. 이를 고치기 위해 지금은 일을 시작할 "
        "때 중간 점검 시간을 미리 정해 두고, 막히는 순간이 삼십 분을 넘으면 동료에게 "
        "먼저 묻는 원칙을 지키고 있습니다. 덕분에 일의 속도도, 함께 일하는 즐거움도 "
        "커졌습니다. 저는 제 단점을 숨기기보다 솔직하게 인정하고 고쳐 나가는 사람이 "
        "되고 싶습니다. {company}에서도 저의 {t3:과} 함께 이런 태도를 보여 드리겠습니다.",
        # 4. 입사 후 포부
        "{company}에 입사한다면 저는 세 단계의 목표를 가지고 일하겠습니다. 첫 번째 해에는 "
        "배우는 사람이 되겠습니다. 회사의 일하는 방식과 고객, 그리고 선배들이 쌓아 온 "
        "경험을 빠르게 익히고, 맡은 일은 작은 것이라도 끝까지 책임지는 신입이 되겠습니다. "
        "모르는 것은 부끄러워하지 않고 묻되, 같은 질문을 두 번 하지 않도록 기록하며 "
        "성실하게 배우겠습니다. 두 번째 단계에서는 저의 {t1:과} {t2:을} 살려 팀에 실질적인 "
        "보탬이 되는 동료가 되겠습니다. 반복되는 일을 더 나은 방식으로 바꾸는 제안을 하고, "
        "동료들이 저에게 믿고 일을 맡길 수 있도록 약속한 날짜와 품질을 지키겠습니다. "
        "작은 약속을 지키는 하루하루가 쌓여 큰 신뢰가 된다는 것을 잊지 않겠습니다. 또한 "
        "업무 밖에서도 꾸준히 공부하며, 해마다 한 가지씩 새로운 기술을 익혀 팀과 "
        "나누겠습니다. "
        "세 번째로, 오 년 뒤에는 {company}의 인재상인 \u201c{hire_short}\u201d에 가장 잘 "
        "어울리는 사람으로 후배들에게 기억되고 싶습니다. 제가 신입 시절 받았던 도움을 "
        "후배들에게 돌려주며, 저의 {t3:으로} 팀 전체가 한 걸음 더 나아가도록 돕겠습니다. "
        "회사의 성장과 저의 성장이 같은 방향을 향할 때 가장 큰 힘이 난다고 믿습니다. "
        "{company}의 다음 도전에 저의 이름이 함께 적히는 날을 상상하며 이 글을 마칩니다. "
        "스물일곱 살의 {name}, 준비된 마음으로 {company}의 문을 두드립니다. "
        "읽어 주셔서 진심으로 감사합니다.",
    ],
    "en": [
        # 1. Who I am
        "My name is {name}. I am twenty-seven, a recent graduate, and people who know me "
        "describe me as {desc}. If I had to choose three words for myself, they would be "
        "{t1}, {t2} and {t3}. {ep1} That experience became more than a memory: it is how I "
        "work. I ask why before I ask how, I listen to the people around me until they have "
        "finished, and I take responsibility for the result. At university I combined my "
        "studies with clubs, part-time jobs and volunteering, which taught me to divide my "
        "time and to turn a group of very different people into one team. I have stumbled "
        "often, and each time I wrote down what was missing and tried to go one step further "
        "the next time. I am not a finished person; I am someone who grows a little every "
        "day, and I would like to write the next chapter of that growth at {company}.",
        # 2. Why the company
        "I first read about {company} while comparing what employers say about the people "
        "they hire. Most of those pages list the same words; yours did not. When I read "
        "\u201c{hire}\u201d, I knew that the person you are looking for is the person I want "
        "to be. The words {kw} stayed with me. My strongest qualities, {t1} and {t2}, are "
        "exactly what your people use every day, and I believe my {t3} would find its best "
        "use in your culture. Since deciding to apply I have read your recent news, tried "
        "your services and listened to interviews with your team, to understand the "
        "problems you solve and how you solve them together. The more I read, the more I "
        "recognised my own experience in your work. There are many good companies, but few "
        "where what I can offer would matter as much. For me, that place is {company}, and "
        "I hope this letter is the start of our first conversation.",
        # 3. Strengths and a weakness
        "My greatest strengths are {t1} and {t2}. {mbti_sentence} {ep2} I learned from it "
        "that a strength is not something you are born with but a muscle that grows with "
        "use, so I raise my hand when there is a chance to use mine, and I note what I "
        "learned when things go badly. Colleagues have called me \u201csomeone you feel safe "
        "working with\u201d, which I take as the best compliment. I also have a weakness: "
        "when I am absorbed in a task, I forget to look around me. Wanting to finish "
        "perfectly, I have held on to problems alone that a question would have solved in "
        "minutes. Today I set check-in times before I start, and if I am stuck for more "
        "than thirty minutes, I ask a colleague first. Both my speed and my enjoyment of "
        "teamwork have grown since. At {company} I would bring this honesty about my "
        "weaknesses along with my {t3}.",
        # 4. First years
        "If I join {company}, I will work towards three goals. In my first year I will be a "
        "learner: I will learn your ways of working, your customers and the experience of "
        "the people before me, and I will see every task through, however small. I will "
        "ask when I do not know, and keep notes so that I never ask the same question "
        "twice. Next, I will become a colleague who makes a real difference, using my {t1} "
        "and {t2} to suggest better ways of doing repeated work and keeping every promise "
        "on date and quality. Five years from now I would like new colleagues to think of "
        "me when they read your words, \u201c{hire_short}\u201d. I will pass on the help I "
        "received as a newcomer, and use my {t3} to help the whole team move forward. I "
        "believe we are strongest when a company's growth and a person's growth point the "
        "same way. I am {name}, twenty-seven and ready, and I would be glad to grow with "
        "{company}. Thank you for reading.",
    ],
}

MBTI_SENTENCES = {
    "ko": "MBTI로 말하자면 저는 {mbti}이고, 실제로도 {desc}에 가깝습니다.",
    "en": "As an {mbti}, I am {desc}, and the people I have worked with would agree.",
}
NO_MBTI_SENTENCES = {
    "ko": "저는 스스로를 {desc}라고 소개합니다.",
    "en": "I would describe myself as {desc}.",
}


def first_sentence(text: str, limit: int) -> str:
    """The profile's first sentence, shortened to `limit` characters at a word."""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?。])(\s|$)", text)
    sentence = (match.group(1) if match else text).rstrip(".!?。")
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def compose(request: LetterRequest) -> str:
    """The whole letter as raw text with section markers (sections.marker_line)."""
    language = request.language if request.language in SECTIONS else "en"
    profile = profile_of(request.mbti)
    words = [TRAITS[key].word(language) for key in profile.traits]
    matched = request.matched_words or words[:2]
    episodes = [EPISODES[key][language] for key in profile.traits]
    # The same visitor and company always get the same letter; different ones vary.
    seed = int(hashlib.sha256(f"{request.nickname}|{request.company}".encode()).hexdigest(), 16)
    first, second = seed % 2, 2 + seed % 2  # two different episodes of the strongest traits
    values = {
        "name": request.nickname,
        "company": request.company,
        "desc": profile.description[language],
        "mbti": request.mbti.upper(),
        "t1": words[0],
        "t2": words[1],
        "t3": words[2],
        "kw": ", ".join(matched[:3]),
        "hire": first_sentence(request.company_profile, 120 if language == "ko" else 160),
        "hire_short": first_sentence(request.company_profile, 40 if language == "ko" else 70),
        "ep1": episodes[first],
        "ep2": episodes[second],
    }
    sentences = MBTI_SENTENCES if request.mbti else NO_MBTI_SENTENCES
    values["mbti_sentence"] = FORMAT.format(sentences[language], **values)
    parts = []
    for title, body in zip(TITLES[language], SECTIONS[language], strict=True):
        parts.append(marker_line(FORMAT.format(title, **values)))
        parts.append(FORMAT.format(body, **values) + "\n\n")
    return "".join(parts)


def chunks(text: str, size: int) -> Iterator[str]:
    """Pieces of about `size` characters, cut anywhere (markers included), like a model's."""
    for start in range(0, len(text), size):
        yield text[start : start + size]


class OfflineLetterWriter:
    """Composes the letter here and streams it in chunks; never fails."""

    name = "offline"
    label = "Offline (composed from the company profile and MBTI traits)"

    def stream(self, request: LetterRequest) -> Iterator[str]:
        delay = settings.BOOTH_LETTER_OFFLINE_CHUNK_SECONDS
        for piece in chunks(compose(request), settings.BOOTH_LETTER_OFFLINE_CHUNK_CHARS):
            yield piece
            if delay:
                time.sleep(delay)
