"""A dozen fictional companies for the demo, each in English and Korean, written for
Booth. Their keywords use the trait words of experiences/resume/traits.py, as a real
library's should (see Company.keywords)."""

# (name, keywords, profile) per language; the same company in both.
COMPANIES = [
    {
        "en": (
            "Lumen Robotics",
            "analysis logic precision curiosity challenge",
            "We hire engineers with analysis in their bones: people who take a failing robot "
            "apart with patience and precision, and who find a hard problem more fun than an "
            "easy one. Curiosity and sound logic matter more to us than a perfect transcript.",
        ),
        "ko": (
            "루멘로보틱스",
            "분석 논리 꼼꼼함 호기심 도전",
            "우리는 멈춘 로봇 앞에서 끈기 있게 원인을 분석하고, 꼼꼼함으로 끝까지 파고드는 "
            "사람을 찾습니다. 쉬운 문제보다 어려운 문제에 호기심을 느끼고 논리로 답을 찾는 "
            "도전 정신이 완벽한 성적표보다 중요합니다.",
        ),
    },
    {
        "en": (
            "Harbor & Hearth Care",
            "care empathy responsibility teamwork communication",
            "We look for people who lead with care and empathy: nurses, coordinators and "
            "helpers who notice what a patient needs before they ask. Responsibility, calm "
            "communication and real teamwork make our homes feel like home.",
        ),
        "ko": (
            "하버앤하스케어",
            "배려 공감 책임감 협업 소통",
            "우리는 환자가 말하기 전에 필요한 것을 먼저 알아차리는, 배려와 공감이 몸에 밴 "
            "사람을 찾습니다. 책임감 있는 태도와 차분한 소통, 진심 어린 협업이 우리 요양원을 "
            "집처럼 만듭니다.",
        ),
    },
    {
        "en": (
            "Northwind Strategy Partners",
            "leadership vision analysis persuasion execution",
            "We hire future leaders with vision: consultants who turn analysis into a story "
            "a board believes, and persuasion into execution. You will lead client teams "
            "early, so we look for people who set ambitious goals and reach them.",
        ),
        "ko": (
            "노스윈드전략컨설팅",
            "리더십 비전 분석 설득 실행력",
            "우리는 비전을 가진 미래의 리더를 찾습니다. 분석을 경영진이 믿을 수 있는 "
            "이야기로 바꾸고, 설득을 실행력으로 이어 가는 컨설턴트입니다. 입사 초기부터 "
            "고객 팀을 이끌게 되므로 리더십과 큰 목표를 향한 추진력을 중요하게 봅니다.",
        ),
    },
    {
        "en": (
            "Pixel Orchard Studios",
            "creativity curiosity passion teamwork adaptability",
            "We make games, and we hire people full of creativity and passion: artists, "
            "writers and programmers who play with ideas and are not afraid to throw one away. "
            "Curiosity, adaptability and generous teamwork matter in every studio.",
        ),
        "ko": (
            "픽셀오차드스튜디오",
            "창의 호기심 열정 협업 적응력",
            "우리는 게임을 만들고, 창의와 열정이 넘치는 사람을 찾습니다. 아이디어를 가지고 "
            "놀 줄 알고 과감히 버릴 줄도 아는 아티스트, 작가, 프로그래머입니다. 호기심과 "
            "적응력, 아낌없는 협업이 모든 스튜디오에서 중요합니다.",
        ),
    },
    {
        "en": (
            "Steadfast Bank",
            "responsibility precision planning reliability logic",
            "We hire people our customers can trust with their savings: careful, organised "
            "and responsible. Precision in the details, sound planning and clear logic are "
            "what we look for in every graduate who joins us.",
        ),
        "ko": (
            "스테드패스트은행",
            "책임감 꼼꼼함 계획 논리 신뢰",
            "우리는 고객이 평생 모은 돈을 믿고 맡길 수 있는 사람을 찾습니다. 세부 사항까지 "
            "챙기는 꼼꼼함, 빈틈없는 계획, 명확한 논리, 그리고 무엇보다 책임감을 갖춘 "
            "신입 사원을 기다립니다.",
        ),
    },
    {
        "en": (
            "Brightpath Learning",
            "mentoring empathy communication vision care",
            "We build learning for every child, and we hire people who love mentoring: "
            "teachers, designers and engineers with empathy and patience. Clear communication "
            "and a vision of what each learner could become guide our work.",
        ),
        "ko": (
            "브라이트패스러닝",
            "멘토링 공감 소통 비전 배려",
            "우리는 모든 아이를 위한 배움을 만들며, 멘토링을 사랑하는 사람을 찾습니다. "
            "공감과 인내를 갖춘 교사, 디자이너, 엔지니어입니다. 명확한 소통과 한 사람 한 "
            "사람이 자랄 모습을 그리는 비전이 우리 일의 나침반입니다.",
        ),
    },
    {
        "en": (
            "Rapid Relay Logistics",
            "execution adaptability responsibility teamwork challenge",
            "Parcels do not wait, so we hire doers: people who thrive on execution when "
            "things move fast, adapt when plans change at midnight, and take responsibility "
            "for the whole chain. Adaptability and teamwork across shifts are everything here.",
        ),
        "ko": (
            "래피드릴레이물류",
            "실행력 적응력 책임감 협업 도전",
            "택배는 기다려 주지 않기에 우리는 행동하는 사람을 찾습니다. 일이 빠르게 돌아갈수록 "
            "실행력이 빛나고, 한밤중에 계획이 바뀌어도 적응력을 발휘하며, 전체 과정에 "
            "책임감을 갖는 사람입니다. 교대 근무를 넘나드는 협업이 우리의 전부입니다.",
        ),
    },
    {
        "en": (
            "Greenleaf Energy",
            "vision initiative challenge analysis planning",
            "We are building the grid of 2050 and hire people with vision and initiative: "
            "engineers and analysts who start things nobody asked for and see them through. "
            "We value the courage to take on a challenge and the planning to finish it.",
        ),
        "ko": (
            "그린리프에너지",
            "비전 주도성 도전 분석 계획",
            "우리는 2050년의 전력망을 만들며 비전과 주도성을 가진 사람을 찾습니다. 아무도 "
            "시키지 않은 일을 스스로 시작해 끝까지 해내는 엔지니어와 분석가입니다. 도전할 "
            "용기와 그것을 마무리할 계획을 함께 중요하게 봅니다.",
        ),
    },
    {
        "en": (
            "Cornerstone Hotels",
            "care communication passion teamwork adaptability",
            "Hospitality is a team sport: we hire warm people with a passion for guests, "
            "who communicate with a smile, care about small details and adapt to every "
            "request. Teamwork between the front desk and the kitchen makes our stays.",
        ),
        "ko": (
            "코너스톤호텔",
            "배려 소통 열정 협업 적응력",
            "환대는 팀 스포츠입니다. 우리는 손님을 향한 열정을 가진 따뜻한 사람, 웃으며 "
            "소통하고 작은 것까지 배려하며 어떤 요청에도 적응력을 보여 주는 사람을 찾습니다. "
            "프런트와 주방의 협업이 우리의 하루를 만듭니다.",
        ),
    },
    {
        "en": (
            "Civic Pulse Media",
            "communication curiosity persuasion creativity empathy",
            "We tell the stories of our city and hire journalists, producers and designers "
            "driven by curiosity: people whose communication is clear, whose creativity "
            "makes facts memorable, and whose empathy earns them people's trust.",
        ),
        "ko": (
            "시빅펄스미디어",
            "소통 호기심 설득 창의 공감",
            "우리는 도시의 이야기를 전하며 호기심이 이끄는 기자, 프로듀서, 디자이너를 "
            "찾습니다. 분명하게 소통하고, 창의로 사실을 기억에 남게 만들며, 공감으로 "
            "사람들의 신뢰를 얻는 사람입니다.",
        ),
    },
    {
        "en": (
            "Atlas Build Engineering",
            "planning precision leadership execution responsibility",
            "We design bridges and towers and hire engineers who love planning: precision "
            "in every drawing, responsibility on site, and the leadership to run a crew of "
            "fifty. Execution on time and on budget is our reputation.",
        ),
        "ko": (
            "아틀라스건설엔지니어링",
            "계획 꼼꼼함 리더십 실행력 책임감",
            "우리는 다리와 빌딩을 설계하며 계획을 사랑하는 엔지니어를 찾습니다. 모든 도면의 "
            "꼼꼼함, 현장에서의 책임감, 오십 명의 작업자를 이끄는 리더십이 필요합니다. "
            "일정과 예산을 지키는 실행력이 우리의 명성입니다.",
        ),
    },
    {
        "en": (
            "Open Field Labs",
            "curiosity initiative creativity logic independence",
            "A small research lab for independent minds: we hire people with curiosity and "
            "initiative who pick their own questions, combine creativity with rigorous logic, "
            "and are happy to work alone for a while before sharing what they found.",
        ),
        "ko": (
            "오픈필드랩",
            "호기심 주도성 창의 논리 독립",
            "독립적인 사람들을 위한 작은 연구소입니다. 우리는 스스로 질문을 고르는 호기심과 "
            "주도성을 가진 사람, 창의와 엄밀한 논리를 함께 쓰는 사람, 발견한 것을 나누기 전에 "
            "한동안 홀로 깊이 파고드는 것을 즐기는 사람을 찾습니다.",
        ),
    },
]


def demo_rows() -> list[dict[str, str]]:
    """The companies as import rows (name, keywords, profile, language)."""
    rows = []
    for company in COMPANIES:
        for language, (name, keywords, profile) in company.items():
            rows.append(
                {"name": name, "keywords": keywords, "profile": profile, "language": language}
            )
    return rows
