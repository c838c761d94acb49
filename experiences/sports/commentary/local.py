"""Offline commentary from templates, in Korean and English.

A shot falls in one situation (new leader, first shot, personal best, then goal by speed
band, close miss, miss); each situation has several sentences, and the one a player heard
last is never picked again for their next shot.
"""

import random

from experiences.sports.commentary import Commentary, ShotContext

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "en": {
        "new_leader.goal": [
            "{name} blasts it in at {speed} km/h and takes over the top of the leaderboard!",
            "A new number one! {name} scores with a {speed} km/h thunderbolt!",
            "{name} knocks everyone off the top spot: {speed} km/h and into the net!",
        ],
        "new_leader.miss": [
            "It misses the target, but at {speed} km/h {name} is the new leader!",
            "Wide of the goal, yet {name}'s {speed} km/h is the fastest shot of the day so far!",
            "No goal, but what power! {name} leads the board with {speed} km/h.",
        ],
        "first_shot.goal": [
            "{name} steps up for the first time and scores at {speed} km/h. Straight in at "
            "number {rank}!",
            "What a debut! {name} finds the net at {speed} km/h on the very first shot.",
            "First shot, first goal: {name} announces themselves with {speed} km/h.",
        ],
        "first_shot.miss": [
            "{name}'s first shot, {speed} km/h, just a warm-up. Number {rank} for now!",
            "A first attempt from {name} at {speed} km/h: no goal yet, but the crowd is watching.",
            "{name} opens with {speed} km/h from {distance} metres. The next one goes in!",
        ],
        "personal_best.goal": [
            "{name} beats their own record: {speed} km/h and a goal! Now number {rank}.",
            "A personal best from {name}! {speed} km/h, right into the net.",
            "Faster than ever: {name} scores at {speed} km/h and climbs to number {rank}.",
        ],
        "personal_best.miss": [
            "{name}'s fastest yet at {speed} km/h, just not on target. Number {rank}.",
            "A new personal best of {speed} km/h for {name}, even if the goal escaped them.",
            "{name} finds a new gear: {speed} km/h! The aim will follow.",
        ],
        "goal.rocket": [
            "A rocket from {name}! {speed} km/h and the keeper never saw it.",
            "Unstoppable! {name} fires it in at {speed} km/h.",
            "{speed} km/h! {name} nearly tears the net off.",
        ],
        "goal.fast": [
            "{name} curls it in at a lively {speed} km/h!",
            "Goal! {name} strikes cleanly at {speed} km/h from {distance} metres.",
            "A sharp finish from {name}: {speed} km/h into the corner.",
        ],
        "goal.steady": [
            "{name} places it calmly at {speed} km/h. It's a goal!",
            "Not the fastest, but {name} picks the spot: {speed} km/h and in.",
            "Precision over power: {name} scores at {speed} km/h.",
        ],
        "close_miss": [
            "So close! {name}'s {speed} km/h strike skims just past the post.",
            "Oh, that was nearly in! {speed} km/h from {name}, a whisker wide.",
            "The crowd gasps: {name} hits {speed} km/h and only just misses.",
        ],
        "miss": [
            "{name} goes for it at {speed} km/h, but it doesn't find the net.",
            "Off target this time for {name}: {speed} km/h. Shot {shots}, keep going!",
            "{name} sends it at {speed} km/h and misses. Next time!",
        ],
    },
    "ko": {
        "new_leader.goal": [
            "{name} 선수, 시속 {speed}km 강슛으로 골! 리더보드 1위로 올라섭니다!",
            "새로운 1위 탄생! {name} 선수가 시속 {speed}km 대포알 슛으로 골망을 가릅니다!",
            "{name} 선수가 정상을 차지합니다! 시속 {speed}km, 그대로 골인!",
        ],
        "new_leader.miss": [
            "골은 빗나갔지만 시속 {speed}km! {name} 선수가 새로운 1위입니다!",
            "아쉽게 골대를 벗어났어도 {name} 선수의 시속 {speed}km는 오늘 최고 기록입니다!",
            "골은 없었지만 엄청난 파워! {name} 선수, 시속 {speed}km로 선두에 나섭니다.",
        ],
        "first_shot.goal": [
            "{name} 선수의 첫 슛, 시속 {speed}km로 골! 단번에 {rank}위에 오릅니다!",
            "화려한 데뷔! {name} 선수가 첫 슛부터 시속 {speed}km로 골망을 흔듭니다.",
            "첫 슛, 첫 골! {name} 선수가 시속 {speed}km로 존재감을 알립니다.",
        ],
        "first_shot.miss": [
            "{name} 선수의 첫 슛은 시속 {speed}km, 몸풀기였네요. 현재 {rank}위!",
            "{name} 선수의 첫 도전, 시속 {speed}km! 아직 골은 없지만 관중이 주목합니다.",
            "{name} 선수, {distance}미터 거리에서 시속 {speed}km로 출발! 다음엔 들어갑니다!",
        ],
        "personal_best.goal": [
            "{name} 선수, 자기 기록 경신! 시속 {speed}km에 골까지! 이제 {rank}위입니다.",
            "개인 최고 기록! {name} 선수가 시속 {speed}km로 골망을 가릅니다.",
            "그 어느 때보다 빠릅니다! {name} 선수, 시속 {speed}km 골로 {rank}위까지 올라갑니다.",
        ],
        "personal_best.miss": [
            "{name} 선수의 최고 속도 시속 {speed}km! 아쉽게 골문은 벗어났습니다. 현재 {rank}위.",
            "{name} 선수, 시속 {speed}km로 개인 최고 기록! 골은 다음 기회에!",
            "{name} 선수가 한 단계 더 올라섭니다, 시속 {speed}km! 정확도만 더하면 됩니다.",
        ],
        "goal.rocket": [
            "{name} 선수의 로켓포! 시속 {speed}km, 골키퍼는 보지도 못했습니다!",
            "막을 수 없습니다! {name} 선수가 시속 {speed}km로 꽂아 넣습니다!",
            "시속 {speed}km! {name} 선수가 골망을 찢을 기세입니다!",
        ],
        "goal.fast": [
            "{name} 선수, 시속 {speed}km로 감아 차서 골!",
            "골! {name} 선수가 {distance}미터 거리에서 시속 {speed}km로 깔끔하게 마무리합니다.",
            "날카로운 마무리! {name} 선수의 시속 {speed}km 슛이 구석으로 빨려 들어갑니다.",
        ],
        "goal.steady": [
            "{name} 선수, 침착하게 시속 {speed}km로 밀어 넣습니다. 골!",
            "빠르진 않아도 정확합니다! {name} 선수, 시속 {speed}km로 골인!",
            "힘보다 정확도! {name} 선수가 시속 {speed}km로 골을 만듭니다.",
        ],
        "close_miss": [
            "아, 아깝습니다! {name} 선수의 시속 {speed}km 슛이 골대를 스치고 나갑니다.",
            "거의 들어갈 뻔했어요! {name} 선수, 시속 {speed}km! 정말 간발의 차이입니다.",
            "관중석에서 탄성이! {name} 선수, 시속 {speed}km로 아슬아슬하게 빗나갑니다.",
        ],
        "miss": [
            "{name} 선수, 시속 {speed}km로 시도했지만 골문을 벗어납니다.",
            "이번엔 빗나갔네요, {name} 선수! 시속 {speed}km, {shots}번째 슛. 계속 갑니다!",
            "{name} 선수의 시속 {speed}km 슛, 아쉽게 골이 되지 못합니다. 다음 기회에!",
        ],
    },
}


def situation(shot: ShotContext) -> str:
    """Which set of sentences fits the shot, the most newsworthy first."""
    outcome = "goal" if shot.goal else "miss"
    if shot.new_leader:
        return f"new_leader.{outcome}"
    if shot.first_shot:
        return f"first_shot.{outcome}"
    if shot.personal_best:
        return f"personal_best.{outcome}"
    if shot.goal:
        return f"goal.{shot.band}"
    return "close_miss" if shot.close_miss else "miss"


def number(value: float) -> str:
    """100.0 → "100", 98.6 → "98.6": how a commentator says it."""
    return f"{value:g}" if value != int(value) else str(int(value))


class LocalCommentator:
    name = "local"
    inline = True

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()

    def comment(self, shot: ShotContext) -> Commentary:
        language = shot.language if shot.language in TEMPLATES else "en"
        key = situation(shot)
        options = [
            (f"{language}.{key}.{index}", text)
            for index, text in enumerate(TEMPLATES[language][key])
            if f"{language}.{key}.{index}" != shot.last_template_key
        ]
        template_key, text = self.rng.choice(options)
        return Commentary(
            text=text.format(
                name=shot.player_name,
                speed=number(shot.speed_kmh),
                distance=number(shot.distance_m),
                rank=shot.rank,
                shots=shot.shots_done,
            ),
            backend=self.name,
            template_key=template_key,
        )
