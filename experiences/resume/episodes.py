"""One short episode per trait, in each language: the offline letter writer tells the
visitor's strongest traits as things they did (a letter that lists adjectives convinces
no one). Written for Booth; `{company}` and `{name}` may appear."""

EPISODES = {
    "leadership": {
        "en": "When our capstone team of six lost its way halfway through the term, I "
        "volunteered to lead: I split the work into weekly goals, met each member one to "
        "one, and we delivered a week early.",
        "ko": "졸업 프로젝트 팀이 학기 중반에 방향을 잃었을 때 제가 팀장을 자원했습니다. "
        "일을 주 단위 목표로 나누고 팀원 한 명 한 명과 따로 이야기를 나눈 끝에, 여섯 명의 "
        "팀은 마감보다 일주일 먼저 결과물을 냈습니다.",
    },
    "teamwork": {
        "en": "In a hackathon with strangers I took the unglamorous jobs nobody wanted, "
        "the data cleaning and the slides, so the others could focus, and we won second "
        "place together.",
        "ko": "처음 만난 사람들과 나간 해커톤에서 저는 아무도 맡으려 하지 않던 데이터 정리와 "
        "발표 자료를 도맡았습니다. 덕분에 동료들은 핵심 기능에 집중할 수 있었고, 우리는 함께 "
        "2등을 했습니다.",
    },
    "analysis": {
        "en": "Working part-time in a café, I logged a month of sales by hour and showed "
        "the owner that two quiet afternoon hours cost more than they earned; the new "
        "timetable is still in use.",
        "ko": "카페 아르바이트를 하며 한 달 치 매출을 시간대별로 기록해 분석했고, 한가한 오후 "
        "두 시간이 버는 것보다 쓰는 것이 많다는 사실을 사장님께 보여 드렸습니다. 그때 바꾼 "
        "영업시간은 지금도 그대로입니다.",
    },
    "creativity": {
        "en": "For a student festival with almost no budget, I designed posters from "
        "recycled maps and turned the queue into a treasure hunt; attendance doubled.",
        "ko": "예산이 거의 없던 학교 축제에서 버려진 지도를 오려 포스터를 만들고, 긴 대기 줄을 "
        "보물찾기로 바꾸는 아이디어를 냈습니다. 그해 방문객은 두 배로 늘었습니다.",
    },
    "empathy": {
        "en": "As a peer tutor I learned that most students who fell behind were not "
        "lazy but lost, and listening first helped more than explaining again.",
        "ko": "또래 튜터로 활동하며 뒤처진 학생 대부분이 게으른 것이 아니라 길을 잃었을 "
        "뿐이라는 것을 배웠습니다. 다시 설명하기보다 먼저 들어 주는 것이 훨씬 큰 힘이 "
        "되었습니다.",
    },
    "planning": {
        "en": "I organised a study trip for forty classmates, with a budget, a timetable "
        "and a plan B for rain; it rained, and plan B became everyone's favourite day.",
        "ko": "동기 마흔 명의 답사 여행을 맡아 예산과 일정표, 비가 올 때를 대비한 대안 "
        "계획까지 세웠습니다. 실제로 비가 왔고, 대안으로 준비한 일정이 모두가 꼽은 최고의 "
        "하루가 되었습니다.",
    },
    "communication": {
        "en": "Explaining my engineering thesis to my grandmother taught me to drop the "
        "jargon; the same one-page summary later won over a panel of professors.",
        "ko": "공학 졸업 논문을 할머니께 설명드리며 전문 용어를 버리는 법을 배웠습니다. 그때 "
        "만든 한 장짜리 요약은 나중에 교수님들 앞에서도 가장 좋은 평가를 받았습니다.",
    },
    "curiosity": {
        "en": "A question about why the campus bus was always late turned into a weekend "
        "project with open data, and the route was changed after I sent my findings.",
        "ko": "학교 셔틀버스가 왜 늘 늦는지 궁금했던 호기심이 공공 데이터를 뒤지는 주말 "
        "프로젝트가 되었고, 제가 보낸 분석 결과를 보고 실제로 노선이 바뀌었습니다.",
    },
    "responsibility": {
        "en": "During an internship I found a mistake of my own in a report already sent; "
        "I said so at once, fixed it that evening, and was trusted with the next report.",
        "ko": "인턴 시절 이미 보낸 보고서에서 제 실수를 발견했을 때, 곧바로 알리고 그날 저녁 "
        "안에 바로잡았습니다. 그 일 뒤로 다음 보고서는 처음부터 제게 맡겨졌습니다.",
    },
    "adaptability": {
        "en": "Exchange studies abroad began with a cancelled course and a language I "
        "barely spoke; within a month I had a new timetable and a study group of locals.",
        "ko": "교환학생 생활은 수강 취소와 서툰 현지어로 시작되었지만, 한 달 만에 새 시간표를 "
        "짜고 현지 학생들과 스터디 모임을 꾸렸습니다. 낯선 환경은 제게 가장 빠른 선생님이었습니다.",
    },
    "precision": {
        "en": "In the lab I was the one who kept the protocol notebook; when an experiment "
        "failed, my notes found the cause in an hour instead of a week.",
        "ko": "연구실에서 실험 기록을 맡았던 저는 날짜와 조건을 빠짐없이 적었습니다. 실험이 "
        "실패했을 때 그 꼼꼼함 덕분에 일주일 걸릴 원인 찾기를 한 시간 만에 끝냈습니다.",
    },
    "vision": {
        "en": "I started a small club to repair students' laptops; three years later it "
        "runs without me and has kept hundreds of machines out of the bin.",
        "ko": "학생들의 노트북을 고쳐 주는 작은 동아리를 만들며 '버려지는 기기를 줄이자'는 "
        "목표를 세웠습니다. 삼 년이 지난 지금 동아리는 제가 없이도 운영되며 수백 대의 기기를 "
        "살려 냈습니다.",
    },
    "passion": {
        "en": "I practised the guitar every morning for two years before my first open-mic "
        "night; I bring the same steady enthusiasm to work I care about.",
        "ko": "첫 무대에 서기까지 이 년 동안 매일 아침 기타를 연습했습니다. 좋아하는 일에 "
        "쏟는 그 꾸준한 열정을 일에도 그대로 가져갑니다.",
    },
    "initiative": {
        "en": "Nobody asked me to build the department's lost-and-found website; I noticed "
        "the pile of forgotten umbrellas, built it in a weekend, and it is still used.",
        "ko": "아무도 시키지 않았지만 학과 사무실에 쌓인 분실물을 보고 주말 동안 분실물 안내 "
        "웹사이트를 만들었습니다. 스스로 일을 찾아 주도적으로 움직이는 것이 제 습관입니다.",
    },
    "care": {
        "en": "Volunteering at a community kitchen, I remembered the regulars' names and "
        "what they could not eat; small attention made a big difference there.",
        "ko": "무료 급식소 봉사를 하며 단골 어르신들의 이름과 못 드시는 음식을 기억해 두었습니다. "
        "작은 배려가 얼마나 큰 차이를 만드는지 그곳에서 배웠습니다.",
    },
    "logic": {
        "en": "I enjoy turning a messy argument into clear steps; in a debate league my "
        "team relied on me to find the one flaw that decided the round.",
        "ko": "복잡한 주장을 명확한 단계로 정리하는 일을 좋아합니다. 토론 대회에서 팀원들은 "
        "승부를 가르는 상대 논리의 빈틈을 찾는 역할을 늘 제게 맡겼습니다.",
    },
    "persuasion": {
        "en": "To bring a recycling scheme to my dormitory I had to win over a sceptical "
        "committee; I came with numbers, a pilot and a smile, and they said yes.",
        "ko": "기숙사에 분리수거 제도를 도입하려고 회의적이던 운영위원회를 설득해야 했습니다. "
        "숫자와 시범 운영 결과, 그리고 웃는 얼굴로 찾아간 끝에 찬성을 얻어 냈습니다.",
    },
    "execution": {
        "en": "Ideas are cheap, so I ship: in my last semester I built and launched a "
        "timetable app in six weeks, and two thousand students used it.",
        "ko": "아이디어보다 실행이 중요하다고 믿습니다. 마지막 학기에 육 주 만에 시간표 앱을 "
        "만들어 출시했고, 이천 명의 학생이 사용했습니다. 그 실행력이 저의 무기입니다.",
    },
    "mentoring": {
        "en": "I mentored first-year students through their first programming course; "
        "seeing one of them become a teaching assistant was my proudest moment.",
        "ko": "신입생들의 첫 프로그래밍 수업을 돕는 멘토링을 했습니다. 제 멘티가 훗날 조교가 "
        "되어 후배들을 가르치는 모습을 보았을 때가 가장 뿌듯한 순간이었습니다.",
    },
    "challenge": {
        "en": "I entered a robotics contest knowing no electronics at all; I learned "
        "soldering from videos, failed twice, and finished in the top ten.",
        "ko": "전자공학을 전혀 모르는 채로 로봇 경진대회에 도전했습니다. 영상으로 납땜을 "
        "배우고 두 번 실패한 끝에 상위 열 팀 안에 들었습니다.",
    },
}
